/* mid_large_mt: several threads, each running the random-slot loop of
 * random_mixed over its own slots with mid/large sizes (8, 16 or 32 KiB plus
 * a random jitter). With --cross-free F, a fraction F of the frees is handed
 * to another thread, which performs the free() itself.
 *
 * Handoff: every thread owns an inbox, a lock-free stack of blocks. A sender
 * pushes with one compare-and-swap; the owner takes the whole stack with one
 * exchange, so there is no ABA problem. The list node lives inside the block,
 * after its 8-byte head tag, so a handoff allocates nothing. */
#include "common.h"

#include <inttypes.h>
#include <stdatomic.h>

static uint64_t threads = 2, cycles = 5000000, ws = 512, seed = 42, jitter = 256,
                warmup = 20000;
static double cross_free = 0.0;

static const struct opt opts[] = {
    {"threads", OPT_U64, &threads, 1, 1024, "worker threads"},
    {"cycles", OPT_U64, &cycles, 1, 1e12, "timed steps per thread"},
    {"ws", OPT_U64, &ws, 1, 1 << 24, "slots per thread"},
    {"jitter", OPT_U64, &jitter, 0, 1 << 20, "random bytes added to the 8/16/32 KiB base size, 0..jitter"},
    {"cross-free", OPT_F64, &cross_free, 0, 1, "fraction of frees done by another thread"},
    {"seed", OPT_U64, &seed, 0, 1e18, "PRNG seed"},
    {"warmup", OPT_U64, &warmup, 0, 1e12, "untimed steps per thread before the timed phase"},
};

static const struct cli cli = {
    "mid_large_mt",
    "Per-thread random-slot malloc/free of 8-32 KiB blocks, optionally freed by\n"
    "another thread; one op = one malloc or one free, counted over all threads.\n"
    "ops = the same total for a given seed and parameters.",
    opts, NOPTS(opts), NULL,
};

/* Lives in a handed-off block, after the 8-byte head tag. */
struct handoff {
    struct handoff *next;
    uint64_t key;
    uint64_t size;
};

struct worker {
    _Alignas(64) _Atomic(struct handoff *) inbox;
    _Alignas(64) uint64_t id;
    struct rng rng;
    void **slot_ptr;
    uint32_t *slot_size;
    uint64_t ops, cross_frees, bytes;
};

static struct worker *workers;
static pthread_barrier_t workers_only, with_main;

#define MIN_SIZE 8192
#define MAX_SIZE (32768 + jitter)

static inline uint64_t key_of(uint64_t thread, uint64_t slot)
{
    return thread << 32 | slot;
}

static void inbox_push(struct worker *to, void *block, uint64_t key, uint64_t size)
{
    struct handoff *h = (struct handoff *)((char *)block + 8);
    h->key = key;
    h->size = size;
    h->next = atomic_load_explicit(&to->inbox, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&to->inbox, &h->next, h, memory_order_release,
                                                  memory_order_relaxed))
        ;
}

/* Frees every block handed to w. */
static void inbox_drain(struct worker *w)
{
    struct handoff *h = atomic_exchange_explicit(&w->inbox, NULL, memory_order_acquire);
    while (h) {
        void *block = (char *)h - 8;
        uint64_t key = h->key, size = h->size, tag = block_tag(seed, key);
        /* Check the head tag before trusting the node's other fields; the
         * report then shows the head and the first node byte. */
        if (memcmp(block, &tag, 8) != 0 || size < MIN_SIZE || size > MAX_SIZE)
            corruption(block, 9, tag, key);
        h = h->next;
        block_free(block, size, tag, key);
        w->ops++;
        w->cross_frees++;
    }
}

static inline void step(struct worker *w)
{
    uint64_t i = rng_below(&w->rng, ws), key = key_of(w->id, i), tag = block_tag(seed, key);
    void *p = w->slot_ptr[i];

    if (atomic_load_explicit(&w->inbox, memory_order_relaxed))
        inbox_drain(w);
    if (p) {
        w->slot_ptr[i] = NULL;
        if (threads > 1 && cross_free > 0 && rng_chance(&w->rng, cross_free)) {
            if (!block_intact(p, w->slot_size[i], tag))
                corruption(p, w->slot_size[i], tag, key);
            uint64_t to = (w->id + 1 + rng_below(&w->rng, threads - 1)) % threads;
            inbox_push(&workers[to], p, key, w->slot_size[i]);
        } else {
            block_free(p, w->slot_size[i], tag, key);
            w->ops++;
        }
        return;
    }
    uint64_t size = (MIN_SIZE << rng_below(&w->rng, 3)) + rng_below(&w->rng, jitter + 1);
    w->slot_size[i] = (uint32_t)size;
    w->slot_ptr[i] = block_new(size, tag);
    w->bytes += size;
    w->ops++;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    for (uint64_t n = 0; n < warmup; n++)
        step(w);
    pthread_barrier_wait(&workers_only);  /* no more handoffs from the warm-up */
    inbox_drain(w);
    w->ops = w->cross_frees = w->bytes = 0;

    pthread_barrier_wait(&with_main);  /* timed phase starts */
    for (uint64_t n = 0; n < cycles; n++)
        step(w);
    pthread_barrier_wait(&workers_only);  /* no more handoffs */
    inbox_drain(w);
    for (uint64_t i = 0; i < ws; i++) {
        if (w->slot_ptr[i]) {
            uint64_t key = key_of(w->id, i);
            block_free(w->slot_ptr[i], w->slot_size[i], block_tag(seed, key), key);
            w->ops++;
        }
    }
    pthread_barrier_wait(&with_main);  /* timed phase ends */
    return NULL;
}

int main(int argc, char **argv)
{
    cli_parse(&cli, argc, argv);

    workers = map_zeroed(threads * sizeof *workers);
    pthread_t *tids = map_zeroed(threads * sizeof *tids);
    pthread_barrier_init(&workers_only, NULL, (unsigned)threads);
    pthread_barrier_init(&with_main, NULL, (unsigned)threads + 1);
    for (uint64_t t = 0; t < threads; t++) {
        struct worker *w = &workers[t];
        w->id = t;
        rng_init(&w->rng, seed, t);
        w->slot_ptr = map_zeroed(ws * sizeof *w->slot_ptr);
        w->slot_size = map_zeroed(ws * sizeof *w->slot_size);
        thread_start(&tids[t], worker_main, w);
    }

    pthread_barrier_wait(&with_main);
    double t0 = now_s();
    pthread_barrier_wait(&with_main);
    double seconds = now_s() - t0;

    uint64_t ops = 0, cross_frees = 0, bytes = 0;
    for (uint64_t t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        ops += workers[t].ops;
        cross_frees += workers[t].cross_frees;
        bytes += workers[t].bytes;
    }
    result_print(&cli, threads, ops, seconds, " cross_frees=%" PRIu64 " bytes=%" PRIu64,
                 cross_frees, bytes);
    return 0;
}
