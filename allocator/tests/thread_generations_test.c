/* Remote frees to dead threads, and reuse of their memory.
 * Many generations of short-lived threads: each thread frees the blocks a
 * thread of the previous generation (now dead) left behind, allocates its
 * own, frees half of them and leaves the other half for the next
 * generation, then exits. Memory freed after its owner died must be reused:
 * RSS after the last generation may not exceed RSS after the warm-up
 * generations by much, where an allocator that leaks abandoned slabs grows
 * by ~3 MB per thread per generation. Payloads are checked on every free. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "alloc_api.h"
#include "handoff_queue.h"
#include "payload.h"
#include "test_util.h"

enum { MAX_THREADS = 16, BLOCKS = 2000 };

/* left[g % 2][k]: blocks thread k of generation g leaves to generation g + 1. */
static block_t left[2][MAX_THREADS][BLOCKS];
static int nthreads = 2;
static atomic_ulong damaged;

typedef struct {
    int self;
    long gen;
} thread_arg_t;

static void *generation_thread(void *argp)
{
    thread_arg_t *arg = argp;
    int self = arg->self;
    long gen = arg->gen;
    /* Blocks of a thread of the previous generation, which has exited. */
    block_t *inherited = left[(gen + 1) % 2][(self + 1) % nthreads];
    for (int i = 0; i < BLOCKS; i++) {
        if (!inherited[i].p)
            continue;
        if (!payload_ok(inherited[i].p, inherited[i].size, inherited[i].serial))
            atomic_fetch_add(&damaged, 1);
        API(free)(inherited[i].p);
        inherited[i].p = NULL;
    }
    uint64_t rng = (uint64_t)gen * 1000003 + self;
    block_t *mine = left[gen % 2][self];
    for (int i = 0; i < BLOCKS; i++) {
        size_t size = rng_log_size(&rng, 16, 32768);
        uint64_t serial = (uint64_t)gen << 32 | (uint64_t)self << 16 | i;
        void *p = API(malloc)(size);
        if (p)
            payload_fill(p, size, serial);
        else
            atomic_fetch_add(&damaged, 1);
        mine[i] = (block_t){ p, size, serial };
    }
    for (int i = 0; i < BLOCKS; i++) {
        if (mine[i].p && rng_next(&rng) % 2) {
            if (!payload_ok(mine[i].p, mine[i].size, mine[i].serial))
                atomic_fetch_add(&damaged, 1);
            API(free)(mine[i].p);
            mine[i].p = NULL;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: thread_generations_test [-g generations] [-t threads]\n";
    long generations = 200;
    int opt;
    while ((opt = getopt(argc, argv, "g:t:")) != -1) {
        switch (opt) {
        case 'g': generations = parse_count(optarg, usage); break;
        case 't': nthreads = (int)parse_count(optarg, usage); break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc || nthreads > MAX_THREADS || generations < 20) {
        fputs(usage, stderr);
        return 2;
    }
    long warm_rss = 0, peak_rss = 0;
    for (long g = 0; g < generations; g++) {
        pthread_t tids[MAX_THREADS];
        thread_arg_t args[MAX_THREADS];
        for (int k = 0; k < nthreads; k++) {
            args[k] = (thread_arg_t){ k, g };
            if (pthread_create(&tids[k], NULL, generation_thread, &args[k]) != 0) {
                fprintf(stderr, "pthread_create failed\n");
                return 1;
            }
        }
        for (int k = 0; k < nthreads; k++)
            pthread_join(tids[k], NULL);
        long rss = rss_kb();
        if (g == generations / 10)
            warm_rss = rss;
        if (rss > peak_rss)
            peak_rss = rss;
    }
    long final_rss = rss_kb();
    /* Bounded: at most 1.5x the warm-up RSS plus 16 MiB of slack. */
    long limit = warm_rss * 3 / 2 + 16 * 1024;
    bool grew = final_rss > limit;
    printf("thread_generations_test (%s): %ld generations x %d threads, RSS warm %ld KiB, final %ld KiB, "
           "peak %ld KiB (limit %ld KiB), %lu damaged\n",
           API_NAME, generations, nthreads, warm_rss, final_rss, peak_rss, limit, atomic_load(&damaged));
    if (grew)
        fprintf(stderr, "thread_generations_test: RSS keeps growing: memory freed after its owner thread "
                        "died is not reused\n");
    return grew || atomic_load(&damaged) ? 1 : 0;
}
