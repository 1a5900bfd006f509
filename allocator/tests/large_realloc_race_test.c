/* Large realloc against large malloc/free in other threads. Growing a large
 * block may move its pages to a new address; the address range it leaves is
 * free at once, and another thread's next large malloc often gets it. If the
 * allocator forgets the old range only after the move, it wipes the other
 * thread's fresh block from its books, and that block's
 * malloc_usable_size/free abort with "invalid pointer".
 * Growers realloc blocks from 128 KiB to 4 MiB while churners malloc,
 * write, size-check and free random large blocks; every block's first and
 * last bytes are checked. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

enum { GROWERS = 2, CHURNERS = 2 };
static long iterations;

static void *grower(void *arg)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL * (uintptr_t)arg + 1;
    for (long i = 0; i < iterations / 8; i++) {
        size_t size = 128 << 10;
        unsigned char *p = API(malloc)(size);
        CHECK(p, "malloc(%zu) failed", size);
        if (!p)
            return NULL;
        unsigned char tag = (unsigned char)rng_next(&seed);
        p[0] = tag;
        while (size < (4 << 20)) {
            size_t bigger = size + rng_range(&seed, 64 << 10, size);
            unsigned char *q = API(realloc)(p, bigger);
            CHECK(q, "realloc(%zu) failed", bigger);
            if (!q)
                break;
            CHECK(q[0] == tag, "realloc lost the first byte");
            CHECK(API(malloc_usable_size)(q) >= bigger, "usable size below %zu", bigger);
            q[bigger - 1] = tag;
            p = q;
            size = bigger;
        }
        API(free)(p);
    }
    return NULL;
}

static void *churner(void *arg)
{
    uint64_t seed = 0x2545f4914f6cdd1dULL * (uintptr_t)arg + 7;
    for (long i = 0; i < iterations; i++) {
        size_t size = rng_log_size(&seed, 100 << 10, 3 << 20);
        unsigned char *p = API(malloc)(size);
        CHECK(p, "malloc(%zu) failed", size);
        if (!p)
            continue;
        p[0] = p[size - 1] = (unsigned char)i;
        CHECK(API(malloc_usable_size)(p) >= size, "usable size below %zu", size);
        CHECK(p[0] == (unsigned char)i && p[size - 1] == (unsigned char)i, "block of %zu B changed", size);
        API(free)(p);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: large_realloc_race_test [-n churn iterations per thread]\n";
    iterations = parse_only_option(argc, argv, 'n', 40000, usage);
    pthread_t t[GROWERS + CHURNERS];
    double t0 = now_ms();
    for (uintptr_t i = 0; i < GROWERS + CHURNERS; i++)
        pthread_create(&t[i], NULL, i < GROWERS ? grower : churner, (void *)i);
    for (int i = 0; i < GROWERS + CHURNERS; i++)
        pthread_join(t[i], NULL);
    printf("large_realloc_race_test: %d growers, %d churners x %ld iterations in %.0f ms, %lu failures\n", GROWERS,
           CHURNERS, iterations, now_ms() - t0, test_failures);
    return test_failures ? 1 : 0;
}
