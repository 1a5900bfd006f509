/* larson: the server benchmark of Larson and Krishnan ("Memory allocation for
 * long-running server applications", ISMM 1998), written from its published
 * description.
 *
 * Each of `threads` lineages owns an array of `chunks` blocks of random size
 * in [min, max]. The thread working a lineage repeatedly frees a random block
 * and mallocs its replacement. After `rounds` rounds (one round = `chunks`
 * replacements) it hands the array to a thread it creates and exits, so blocks
 * are freed by threads that did not allocate them. The main thread allocates
 * the first arrays, lets the threads run `warmup` seconds, then counts the ops
 * done during `seconds`. */
#include "common.h"

#include <inttypes.h>
#include <stdatomic.h>

static double seconds = 2.0, warmup = 0.5;
static uint64_t min_size = 8, max_size = 1000, chunks = 1000, rounds = 100, seed = 42,
                threads = 2;

static const struct opt opts[] = {
    {"seconds", OPT_F64, &seconds, 0.001, 1e6, "timed seconds"},
    {"min", OPT_U64, &min_size, 1, 1 << 30, "smallest block size in bytes"},
    {"max", OPT_U64, &max_size, 1, 1 << 30, "largest block size in bytes"},
    {"chunks", OPT_U64, &chunks, 1, 1 << 24, "blocks per thread"},
    {"rounds", OPT_U64, &rounds, 1, 1e9, "rounds of `chunks` replacements before a thread hands over"},
    {"seed", OPT_U64, &seed, 0, 1e18, "PRNG seed"},
    {"threads", OPT_U64, &threads, 1, 1024, "threads running at a time"},
    {"warmup", OPT_F64, &warmup, 0, 1e6, "untimed seconds before the timed ones"},
};

static const char *const positional[] = {"seconds", "min", "max", "chunks",
                                         "rounds", "seed", "threads", NULL};

static const struct cli cli = {
    "larson",
    "Larson & Krishnan server benchmark; one op = one malloc or one free, counted\n"
    "over all threads during the timed seconds. Also takes the classic positional order.",
    opts, NOPTS(opts), positional,
};

struct lineage {
    _Alignas(64) _Atomic uint64_t ops;  /* read by main while threads run */
    _Alignas(64) uint64_t id;
    struct rng rng;
    void **ptr;
    uint32_t *size;
    pthread_t prev;      /* the thread that handed over, for its successor to join */
    int has_prev;
    uint64_t handoffs;
    pthread_t last;      /* the final thread, for main to join */
    _Atomic int done;
};

static struct lineage *lineages;
static _Atomic int stop;

static inline uint64_t key_of(const struct lineage *l, uint64_t slot)
{
    return l->id << 32 | slot;
}

static inline void *fresh_block(struct lineage *l, uint64_t slot)
{
    uint64_t size = rng_range(&l->rng, min_size, max_size);
    l->size[slot] = (uint32_t)size;
    return block_new(size, block_tag(seed, key_of(l, slot)));
}

static void *lineage_thread(void *arg)
{
    struct lineage *l = arg;
    uint64_t ops = atomic_load_explicit(&l->ops, memory_order_relaxed);

    if (l->has_prev)
        pthread_join(l->prev, NULL);
    for (uint64_t n = rounds * chunks; n > 0; n--) {
        if (atomic_load_explicit(&stop, memory_order_relaxed))
            break;
        uint64_t i = rng_below(&l->rng, chunks), key = key_of(l, i);
        block_free(l->ptr[i], l->size[i], block_tag(seed, key), key);
        l->ptr[i] = fresh_block(l, i);
        ops += 2;
        atomic_store_explicit(&l->ops, ops, memory_order_relaxed);
    }
    if (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        pthread_t next;
        l->prev = pthread_self();
        l->has_prev = 1;
        l->handoffs++;
        thread_start(&next, lineage_thread, l);
        return NULL;  /* l now belongs to the successor */
    }
    for (uint64_t i = 0; i < chunks; i++) {
        uint64_t key = key_of(l, i);
        block_free(l->ptr[i], l->size[i], block_tag(seed, key), key);
    }
    l->last = pthread_self();
    atomic_store_explicit(&l->done, 1, memory_order_release);
    return NULL;
}

static uint64_t ops_so_far(void)
{
    uint64_t sum = 0;
    for (uint64_t t = 0; t < threads; t++)
        sum += atomic_load_explicit(&lineages[t].ops, memory_order_relaxed);
    return sum;
}

int main(int argc, char **argv)
{
    cli_parse(&cli, argc, argv);
    if (min_size > max_size)
        cli_fail(&cli, "min %" PRIu64 " is larger than max %" PRIu64, min_size, max_size);

    lineages = map_zeroed(threads * sizeof *lineages);
    for (uint64_t t = 0; t < threads; t++) {
        struct lineage *l = &lineages[t];
        l->id = t;
        rng_init(&l->rng, seed, t);
        l->ptr = map_zeroed(chunks * sizeof *l->ptr);
        l->size = map_zeroed(chunks * sizeof *l->size);
        for (uint64_t i = 0; i < chunks; i++)
            l->ptr[i] = fresh_block(l, i);
    }
    for (uint64_t t = 0; t < threads; t++) {
        pthread_t first;  /* joined by its successor, or by main as `last` */
        thread_start(&first, lineage_thread, &lineages[t]);
    }

    sleep_until(now_s() + warmup);
    double t0 = now_s();
    uint64_t ops0 = ops_so_far();
    sleep_until(t0 + seconds);
    uint64_t ops1 = ops_so_far();
    double t1 = now_s();
    atomic_store(&stop, 1);

    uint64_t handoffs = 0;
    for (uint64_t t = 0; t < threads; t++) {
        struct lineage *l = &lineages[t];
        while (!atomic_load_explicit(&l->done, memory_order_acquire))
            sleep_until(now_s() + 0.001);
        pthread_join(l->last, NULL);
        handoffs += l->handoffs;
    }
    result_print(&cli, threads, ops1 - ops0, t1 - t0, " handoffs=%" PRIu64, handoffs);
    return 0;
}
