/* random_mixed: a working set of ws slots; each step picks a random slot and
 * frees its block if it holds one, otherwise mallocs a random size in
 * [min, max]. Freeing what remains at the end is part of the timed phase. */
#include "common.h"

#include <inttypes.h>

static uint64_t iterations = 10000000, ws = 8192, seed = 42, min_size = 16,
                max_size = 1024, warmup = 100000;

static const struct opt opts[] = {
    {"iterations", OPT_U64, &iterations, 1, 1e12, "timed steps (one malloc or one free each)"},
    {"ws", OPT_U64, &ws, 1, 1 << 26, "working set: number of slots"},
    {"min", OPT_U64, &min_size, 1, 1 << 30, "smallest block size in bytes"},
    {"max", OPT_U64, &max_size, 1, 1 << 30, "largest block size in bytes"},
    {"seed", OPT_U64, &seed, 0, 1e18, "PRNG seed"},
    {"warmup", OPT_U64, &warmup, 0, 1e12, "untimed steps before the timed phase"},
};

static const struct cli cli = {
    "random_mixed",
    "Random-slot malloc/free over a working set; one op = one malloc or one free.\n"
    "ops = iterations + the frees of the blocks left at the end.",
    opts, NOPTS(opts), NULL,
};

static void **slot_ptr;
static uint32_t *slot_size;
static struct rng rng;
static uint64_t bytes;  /* bytes requested by the mallocs of the timed phase */

/* One step: returns 1 if it malloc'd, 0 if it freed. */
static inline int step(void)
{
    uint64_t i = rng_below(&rng, ws);
    uint64_t tag = block_tag(seed, i);
    if (slot_ptr[i]) {
        block_free(slot_ptr[i], slot_size[i], tag, i);
        slot_ptr[i] = NULL;
        return 0;
    }
    uint64_t size = rng_range(&rng, min_size, max_size);
    slot_size[i] = (uint32_t)size;
    slot_ptr[i] = block_new(size, tag);
    bytes += size;
    return 1;
}

int main(int argc, char **argv)
{
    cli_parse(&cli, argc, argv);
    if (min_size > max_size)
        cli_fail(&cli, "--min %" PRIu64 " is larger than --max %" PRIu64, min_size, max_size);

    slot_ptr = map_zeroed(ws * sizeof *slot_ptr);
    slot_size = map_zeroed(ws * sizeof *slot_size);
    rng_init(&rng, seed, 0);

    for (uint64_t n = 0; n < warmup; n++)
        step();
    bytes = 0;

    uint64_t ops = iterations, mallocs = 0;
    double t0 = now_s();
    for (uint64_t n = 0; n < iterations; n++)
        mallocs += step();
    for (uint64_t i = 0; i < ws; i++) {
        if (slot_ptr[i]) {
            block_free(slot_ptr[i], slot_size[i], block_tag(seed, i), i);
            slot_ptr[i] = NULL;
            ops++;
        }
    }
    double seconds = now_s() - t0;

    result_print(&cli, 1, ops, seconds, " mallocs=%" PRIu64 " bytes=%" PRIu64, mallocs, bytes);
    return 0;
}
