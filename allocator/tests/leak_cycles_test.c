/* Leaks: 100 cycles that each allocate ~16 MB across Tiny, Mid and Large
 * (malloc, calloc, memalign and realloc'd blocks) and free all of it, half
 * locally and half by a long-lived second thread (remote frees to a live
 * owner). Every cycle frees everything, so RSS at the peak of the last
 * cycle (all its blocks live) must stay close to RSS at the same point of
 * cycle 10; a leak on any of these paths makes it grow with every cycle. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "alloc_api.h"
#include "handoff_queue.h"
#include "test_util.h"

enum { MAX_BLOCKS = 8192, TARGET_BYTES = 16 << 20 };

static block_t blocks[MAX_BLOCKS];
static handoff_queue_t to_worker;
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static long worker_freed; /* guarded by done_lock */

static void *worker(void *unused)
{
    (void)unused;
    block_t batch[256];
    for (;;) {
        size_t n = handoff_pop(&to_worker, batch, 256);
        if (n == 0) {
            usleep(100);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (batch[i].p == NULL)
                return NULL;
            API(free)(batch[i].p);
        }
        pthread_mutex_lock(&done_lock);
        worker_freed += (long)n;
        pthread_cond_signal(&done_cond);
        pthread_mutex_unlock(&done_lock);
    }
}

static void *allocate(uint64_t *rng, size_t size)
{
    switch (rng_next(rng) % 8) {
    case 0: return API(calloc)(1, size);
    case 1: return API(memalign)((size_t)64 << (rng_next(rng) % 7), size);
    case 2: {
        void *p = API(malloc)(rng_log_size(rng, 16, 100000));
        return p ? API(realloc)(p, size) : NULL;
    }
    default: return API(malloc)(size);
    }
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: leak_cycles_test [-c cycles]\n";
    long cycles = parse_only_option(argc, argv, 'c', 100, usage);
    if (cycles < 20) {
        fputs(usage, stderr);
        return 2;
    }
    handoff_init(&to_worker);
    pthread_t tid;
    pthread_create(&tid, NULL, worker, NULL);
    uint64_t rng = 7;
    long rss_cycle10 = 0, rss_last = 0, sent = 0;
    unsigned long failed_allocs = 0;
    for (long c = 0; c < cycles; c++) {
        size_t total = 0;
        int n = 0;
        while (total < TARGET_BYTES && n < MAX_BLOCKS) {
            uint64_t r = rng_next(&rng) % 100;
            size_t size = r < 70 ? rng_log_size(&rng, 1, 1024)
                        : r < 97 ? rng_log_size(&rng, 1025, 65536) : rng_log_size(&rng, 65537, 2 << 20);
            void *p = allocate(&rng, size);
            if (!p) {
                failed_allocs++;
                continue;
            }
            /* Touch every page so a leak shows in RSS. */
            for (size_t off = 0; off < size; off += 4096)
                ((volatile char *)p)[off] = 1;
            blocks[n++] = (block_t){ p, size, 0 };
            total += size;
        }
        if (c == 9)
            rss_cycle10 = rss_kb();
        rss_last = rss_kb();
        for (int i = 0; i < n; i++) {
            if (i % 2 && handoff_push(&to_worker, blocks[i])) {
                sent++;
                continue;
            }
            API(free)(blocks[i].p);
        }
        /* Wait until the worker has freed its share of this cycle. */
        pthread_mutex_lock(&done_lock);
        while (worker_freed < sent)
            pthread_cond_wait(&done_cond, &done_lock);
        pthread_mutex_unlock(&done_lock);
    }
    while (!handoff_push(&to_worker, (block_t){ NULL, 0, 0 }))
        usleep(100);
    pthread_join(tid, NULL);
    long limit = rss_cycle10 * 5 / 4 + 8 * 1024;
    printf("leak_cycles_test (%s): %ld cycles of ~%d MiB, peak RSS of cycle 10 %ld KiB, of cycle %ld %ld KiB "
           "(limit %ld KiB), %lu failed allocations\n",
           API_NAME, cycles, TARGET_BYTES >> 20, rss_cycle10, cycles, rss_last, limit, failed_allocs);
    return rss_last > limit || failed_allocs ? 1 : 0;
}
