/* A free-heavy workload for the madvise-storm check: run.sh runs it under
 * `strace -f -c -e trace=madvise,munmap` and requires far fewer of those
 * calls than frees. Every round empties whole slabs (Tiny and Mid blocks
 * allocated in bulk, then all freed, locally and from another thread) and
 * alternates malloc/free of one Large size, which is exactly what makes an
 * allocator that releases memory on each free call madvise or munmap
 * thousands of times. Prints "frees <count>" for run.sh. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

enum { BULK = 20000 };

static void *bulk[BULK];
static unsigned long frees;

static void bulk_alloc(uint64_t *rng, size_t lo, size_t hi, int n)
{
    for (int i = 0; i < n; i++) {
        bulk[i] = API(malloc)(rng_log_size(rng, lo, hi));
        if (bulk[i])
            *(volatile char *)bulk[i] = 1;
    }
}

static void bulk_free(int n)
{
    for (int i = 0; i < n; i++)
        API(free)(bulk[i]);
    frees += n;
}

static void *remote_allocator(void *arg)
{
    bulk_alloc(arg, 16, 1024, BULK);
    return NULL;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: free_heavy_test [-r rounds]\n";
    long rounds = parse_only_option(argc, argv, 'r', 30, usage);
    uint64_t rng = 3;
    for (long r = 0; r < rounds; r++) {
        bulk_alloc(&rng, 16, 1024, BULK); /* Tiny */
        bulk_free(BULK);
        bulk_alloc(&rng, 1025, 65536, 1000); /* Mid */
        bulk_free(1000);
        for (int i = 0; i < 2000; i++) { /* Large, one size back and forth */
            void *p = API(malloc)(300000);
            if (p)
                memset(p, 1, 4096);
            API(free)(p);
            frees++;
        }
        pthread_t tid; /* Tiny blocks of another thread, freed here */
        pthread_create(&tid, NULL, remote_allocator, &rng);
        pthread_join(tid, NULL);
        bulk_free(BULK);
    }
    printf("frees %lu\n", frees);
    return 0;
}
