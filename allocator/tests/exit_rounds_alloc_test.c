/* Allocation in every round of a thread's pthread key destructors. An
 * allocator's own exit destructor runs in the first round; a destructor of a
 * later key that allocates brings the thread back, up to the last round
 * (PTHREAD_DESTRUCTOR_ITERATIONS), when an allocator may only serve it
 * without a thread cache. Every round checks that the memalign family
 * honours alignments up to 64 KiB, that calloc zeroes the bytes asked for,
 * and that every usable byte can be written. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "alloc_api.h"
#include "test_util.h"

enum { THREADS = 4 };
static pthread_key_t key;

static void exercise(uintptr_t round)
{
    for (size_t align = 32; align <= 64 << 10; align *= 2) {
        unsigned char *p = API(aligned_alloc)(align, 100);
        CHECK(p && (uintptr_t)p % align == 0, "round %lu: aligned_alloc(%zu, 100) = %p", (unsigned long)round,
              align, (void *)p);
        if (p) {
            memset(p, 1, 100);
            API(free)(p);
        }
        void *q = NULL;
        int rc = API(posix_memalign)(&q, align, 5000);
        CHECK(rc == 0 && (uintptr_t)q % align == 0, "round %lu: posix_memalign(%zu, 5000) = %d, %p",
              (unsigned long)round, align, rc, q);
        if (rc == 0) {
            memset(q, 1, 5000);
            API(free)(q);
        }
    }
    static const size_t sizes[] = { 1, 100, 1024, 4000, 20000, 32769, 40000, 65536, 100000, 300000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        unsigned char *p = API(calloc)(1, sizes[i]);
        CHECK(p, "round %lu: calloc(1, %zu) failed", (unsigned long)round, sizes[i]);
        if (!p)
            continue;
        size_t usable = API(malloc_usable_size)(p);
        CHECK(usable >= sizes[i], "round %lu: calloc(1, %zu): usable size %zu", (unsigned long)round, sizes[i],
              usable);
        for (size_t j = 0; j < sizes[i]; j++)
            if (p[j]) {
                CHECK(0, "round %lu: calloc(1, %zu): byte %zu not zero", (unsigned long)round, sizes[i], j);
                break;
            }
        memset(p, 0xff, usable);
        API(free)(p);
    }
}

/* Runs once per destructor round: the value is the round number. */
static void destructor(void *value)
{
    uintptr_t round = (uintptr_t)value;
    exercise(round);
    if (round < PTHREAD_DESTRUCTOR_ITERATIONS)
        pthread_setspecific(key, (void *)(round + 1));
}

static void *thread_main(void *arg)
{
    (void)arg;
    API(free)(API(malloc)(64)); /* the thread's heap exists before its destructors run */
    pthread_setspecific(key, (void *)1);
    return NULL;
}

int main(void)
{
    API(free)(API(malloc)(64)); /* the allocator's own key (if any) comes first */
    pthread_key_create(&key, destructor);
    for (int i = 0; i < THREADS; i++) {
        pthread_t t;
        pthread_create(&t, NULL, thread_main, NULL);
        pthread_join(t, NULL);
    }
    printf("exit_rounds_alloc_test: %d threads x %d destructor rounds, %lu failures\n", THREADS,
           PTHREAD_DESTRUCTOR_ITERATIONS, test_failures);
    return test_failures ? 1 : 0;
}
