/* tiny_hot: malloc a batch of tiny blocks (8-128 B, one fixed size or random
 * sizes over a range), then free them in reverse order; repeat. */
#include "common.h"

#include <inttypes.h>

static uint64_t size_fixed = 0, min_size = 8, max_size = 128, batch = 100,
                cycles = 500000, seed = 42, warmup = 2000;

static const struct opt opts[] = {
    {"size", OPT_U64, &size_fixed, 0, 128, "fixed block size in 8..128; 0 = random in [min, max]"},
    {"min", OPT_U64, &min_size, 8, 128, "smallest block size when --size is 0"},
    {"max", OPT_U64, &max_size, 8, 128, "largest block size when --size is 0"},
    {"batch", OPT_U64, &batch, 1, 1 << 24, "blocks per cycle"},
    {"cycles", OPT_U64, &cycles, 1, 1e12, "timed cycles"},
    {"seed", OPT_U64, &seed, 0, 1e18, "PRNG seed"},
    {"warmup", OPT_U64, &warmup, 0, 1e12, "untimed cycles before the timed phase"},
};

static const struct cli cli = {
    "tiny_hot",
    "Batches of tiny mallocs freed in reverse order; one op = one malloc or one free.\n"
    "ops = cycles * batch * 2.",
    opts, NOPTS(opts), NULL,
};

static void **ptrs;
static uint8_t *sizes;
static struct rng rng;
static uint64_t bytes;

static void cycle(void)
{
    for (uint64_t i = 0; i < batch; i++) {
        uint64_t size = size_fixed ? size_fixed : rng_range(&rng, min_size, max_size);
        sizes[i] = (uint8_t)size;
        ptrs[i] = block_new(size, block_tag(seed, i));
        bytes += size;
    }
    for (uint64_t i = batch; i-- > 0;)
        block_free(ptrs[i], sizes[i], block_tag(seed, i), i);
}

int main(int argc, char **argv)
{
    cli_parse(&cli, argc, argv);
    if (size_fixed && size_fixed < 8)
        cli_fail(&cli, "--size must be 0 or in 8..128");
    if (min_size > max_size)
        cli_fail(&cli, "--min %" PRIu64 " is larger than --max %" PRIu64, min_size, max_size);

    ptrs = map_zeroed(batch * sizeof *ptrs);
    sizes = map_zeroed(batch);
    rng_init(&rng, seed, 0);

    for (uint64_t c = 0; c < warmup; c++)
        cycle();
    bytes = 0;

    double t0 = now_s();
    for (uint64_t c = 0; c < cycles; c++)
        cycle();
    double seconds = now_s() - t0;

    result_print(&cli, 1, cycles * batch * 2, seconds, " bytes=%" PRIu64, bytes);
    return 0;
}
