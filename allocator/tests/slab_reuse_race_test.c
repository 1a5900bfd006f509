/* Slab-reuse race: owner threads allocate in phases, each phase one size
 * class, and hand almost every block to freer threads, which check the
 * payload and free it remotely. Slabs are thus emptied by remote frees
 * while their owner keeps allocating, and reused by the next phase for
 * another class: a slab handed out again while a remote free is still in
 * flight, or a block handed out twice, overwrites a live payload and is
 * caught when the freer checks it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "alloc_api.h"
#include "handoff_queue.h"
#include "payload.h"
#include "test_util.h"

enum { OWNERS = 2, FREERS = 3, PHASE_BLOCKS = 1500 };

static const size_t phase_sizes[] = { 16, 24, 32, 48, 64, 96, 128, 256, 512, 768, 1024, 2048, 8192, 32768 };
static handoff_queue_t queues[FREERS];
static long phases = 120;
static atomic_int owners_running = OWNERS;
static atomic_ulong damaged, remote_frees, serials;

static void check_and_free(block_t b)
{
    if (!payload_ok(b.p, b.size, b.serial) && atomic_fetch_add(&damaged, 1) < 10)
        fprintf(stderr, "slab_reuse_race: block %p (%zu bytes) overwritten while live\n", b.p, b.size);
    API(free)(b.p);
}

static void *owner(void *arg)
{
    uint64_t rng = 99 + (uintptr_t)arg;
    for (long ph = 0; ph < phases; ph++) {
        size_t size = phase_sizes[(ph + (uintptr_t)arg * 5) % (sizeof phase_sizes / sizeof phase_sizes[0])];
        block_t local[64];
        int nlocal = 0;
        for (int i = 0; i < PHASE_BLOCKS; i++) {
            block_t b = { API(malloc)(size), size, atomic_fetch_add(&serials, 1) };
            if (!b.p) {
                atomic_fetch_add(&damaged, 1);
                continue;
            }
            payload_fill(b.p, b.size, b.serial);
            /* Most blocks go to a freer; a few are freed here, interleaved. */
            if (rng_next(&rng) % 8 == 0 && nlocal < 64) {
                local[nlocal++] = b;
            } else {
                while (!handoff_push(&queues[rng_next(&rng) % FREERS], b))
                    sched_yield();
            }
            if (nlocal == 64) {
                while (nlocal > 0)
                    check_and_free(local[--nlocal]);
            }
        }
        while (nlocal > 0)
            check_and_free(local[--nlocal]);
    }
    atomic_fetch_sub(&owners_running, 1);
    return NULL;
}

static void *freer(void *arg)
{
    handoff_queue_t *q = &queues[(uintptr_t)arg];
    block_t batch[64];
    for (;;) {
        bool last = atomic_load(&owners_running) == 0;
        size_t n = handoff_pop(q, batch, 64);
        for (size_t i = 0; i < n; i++)
            check_and_free(batch[i]);
        atomic_fetch_add(&remote_frees, n);
        if (n == 0) {
            if (last)
                return NULL;
            sched_yield();
        }
    }
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: slab_reuse_race_test [-p phases-per-owner]\n";
    phases = parse_only_option(argc, argv, 'p', phases, usage);
    for (int i = 0; i < FREERS; i++)
        handoff_init(&queues[i]);
    pthread_t o[OWNERS], f[FREERS];
    double t0 = now_ms();
    for (uintptr_t i = 0; i < FREERS; i++)
        pthread_create(&f[i], NULL, freer, (void *)i);
    for (uintptr_t i = 0; i < OWNERS; i++)
        pthread_create(&o[i], NULL, owner, (void *)i);
    for (int i = 0; i < OWNERS; i++)
        pthread_join(o[i], NULL);
    for (int i = 0; i < FREERS; i++)
        pthread_join(f[i], NULL);
    printf("slab_reuse_race_test (%s): %d owners x %ld phases, %lu remote frees, %.0f ms, %lu damaged\n", API_NAME,
           OWNERS, phases, atomic_load(&remote_frees), now_ms() - t0, atomic_load(&damaged));
    return atomic_load(&damaged) ? 1 : 0;
}
