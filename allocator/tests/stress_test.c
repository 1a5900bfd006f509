/* Multithreaded stress test with verified payloads.
 * Generations of threads allocate random sizes across Tiny, Mid and Large,
 * fill each block with a pattern (payload.h), and free it after checking
 * the pattern. A quarter of the blocks go to another thread's handoff queue
 * and are freed there (remote frees). Queues outlive their threads, and a
 * thread that finishes leaves half its blocks in the queues, so the next
 * generation frees blocks whose owning thread is dead.
 * Exit status 0 only when no block was ever found damaged. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc_api.h"
#include "handoff_queue.h"
#include "payload.h"
#include "test_util.h"

enum { MAX_THREADS = 64, SLOTS = 512, DRAIN_EVERY = 64 };

static handoff_queue_t queues[MAX_THREADS];
static int nthreads = 4;
static long ops_per_thread = 20000;
static size_t max_size = 1 << 20;
static uint64_t base_seed = 1;
static atomic_ulong damaged, remote_frees, total_ops;
static atomic_uint_fast64_t next_serial = 1;

static void verify_and_free(block_t b, const char *how)
{
    if (!payload_ok(b.p, b.size, b.serial)) {
        if (atomic_fetch_add(&damaged, 1) < 10)
            fprintf(stderr, "stress: block %p (%zu bytes, serial %llu) damaged before %s free\n", b.p, b.size,
                    (unsigned long long)b.serial, how);
    }
    API(free)(b.p);
}

static void drain(int self)
{
    block_t batch[256];
    size_t n;
    while ((n = handoff_pop(&queues[self], batch, 256)) > 0) {
        for (size_t i = 0; i < n; i++)
            verify_and_free(batch[i], "remote");
        atomic_fetch_add(&remote_frees, n);
    }
}

static size_t pick_size(uint64_t *rng)
{
    uint64_t r = rng_next(rng) % 100;
    if (r < 85)
        return rng_log_size(rng, 1, 1024);
    if (r < 97 || max_size <= 65536)
        return rng_log_size(rng, 1025, 65536);
    return rng_log_size(rng, 65537, max_size);
}

static bool zeroed(const unsigned char *p, size_t size)
{
    size_t head = size < 1024 ? size : 1024;
    for (size_t i = 0; i < head; i++)
        if (p[i] || p[size - 1 - i])
            return false;
    return true;
}

/* One allocation with a randomly chosen entry point. */
static block_t allocate(uint64_t *rng)
{
    block_t b = { NULL, pick_size(rng), atomic_fetch_add(&next_serial, 1) };
    uint64_t how = rng_next(rng) % 20;
    if (how == 0) {
        b.p = API(calloc)(1, b.size);
        if (b.p && !zeroed(b.p, b.size)) {
            atomic_fetch_add(&damaged, 1);
            fprintf(stderr, "stress: calloc(%zu) = %p not zeroed\n", b.size, b.p);
        }
    } else if (how == 1) {
        b.p = API(memalign)((size_t)32 << (rng_next(rng) % 8), b.size);
    } else if (how == 2) {
        /* realloc of a fresh block: exercises the move between size classes. */
        void *p = API(malloc)(pick_size(rng));
        b.p = p ? API(realloc)(p, b.size) : NULL;
    } else {
        b.p = API(malloc)(b.size);
    }
    if (!b.p) {
        atomic_fetch_add(&damaged, 1);
        fprintf(stderr, "stress: allocation of %zu bytes failed\n", b.size);
        return b;
    }
    payload_fill(b.p, b.size, b.serial);
    return b;
}

static void *worker(void *arg)
{
    int self = (int)(intptr_t)arg;
    uint64_t rng = base_seed * 0x9E3779B97F4A7C15ULL + (uint64_t)self * 7919 + atomic_load(&next_serial);
    block_t slots[SLOTS] = { 0 };
    for (long op = 0; op < ops_per_thread; op++) {
        block_t *s = &slots[rng_next(&rng) % SLOTS];
        if (!s->p) {
            *s = allocate(&rng);
        } else {
            int to = (int)(rng_next(&rng) % nthreads);
            if (rng_next(&rng) % 4 == 0 && to != self && handoff_push(&queues[to], *s))
                s->p = NULL;
            else {
                verify_and_free(*s, "local");
                s->p = NULL;
            }
        }
        if (op % DRAIN_EVERY == 0)
            drain(self);
    }
    /* Dying: free half, leave the other half for the next generation. */
    for (int i = 0; i < SLOTS; i++) {
        if (!slots[i].p)
            continue;
        if (i % 2 == 0 || !handoff_push(&queues[(self + 1 + i) % nthreads], slots[i]))
            verify_and_free(slots[i], "local");
        slots[i].p = NULL;
    }
    atomic_fetch_add(&total_ops, ops_per_thread);
    return NULL;
}

static const char usage[] =
    "usage: stress_test [-t threads] [-g generations] [-n ops-per-thread] [-m max-size] [-s seed]\n";

int main(int argc, char **argv)
{
    long generations = 10;
    int opt;
    while ((opt = getopt(argc, argv, "t:g:n:m:s:")) != -1) {
        switch (opt) {
        case 't': nthreads = (int)parse_count(optarg, usage); break;
        case 'g': generations = parse_count(optarg, usage); break;
        case 'n': ops_per_thread = parse_count(optarg, usage); break;
        case 'm': max_size = (size_t)parse_count(optarg, usage); break;
        case 's': base_seed = (uint64_t)parse_count(optarg, usage); break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc || nthreads < 2 || nthreads > MAX_THREADS || max_size < 1025) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 0; i < MAX_THREADS; i++)
        handoff_init(&queues[i]);
    double t0 = now_ms();
    for (long g = 0; g < generations; g++) {
        pthread_t tids[MAX_THREADS];
        for (int i = 0; i < nthreads; i++)
            if (pthread_create(&tids[i], NULL, worker, (void *)(intptr_t)i) != 0) {
                fprintf(stderr, "stress: pthread_create failed\n");
                return 1;
            }
        for (int i = 0; i < nthreads; i++)
            pthread_join(tids[i], NULL);
    }
    for (int i = 0; i < nthreads; i++)
        drain(i);
    printf("stress_test (%s): %d threads x %ld generations, %lu ops, %lu remote frees, %.0f ms, %lu damaged\n",
           API_NAME, nthreads, generations, atomic_load(&total_ops), atomic_load(&remote_frees), now_ms() - t0,
           atomic_load(&damaged));
    return atomic_load(&damaged) ? 1 : 0;
}
