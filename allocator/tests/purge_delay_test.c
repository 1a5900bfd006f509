/* Freed memory goes back to the OS once it has been idle for a while, as
 * long as the program keeps allocating: ~48 MiB of Mid blocks and
 * 16 Large blocks of 1 MiB (few enough for HAKMEM's large cache) are
 * allocated, touched and all freed; then for -w ms the program churns small
 * blocks, many at a time so that the thread cache refills and flushes (the
 * slow paths where a delayed purge runs). VmRSS must fall below half the
 * peak (HAKMEM keeps a few empty slabs per class warm, ~20 MiB here).
 * The blocks are above glibc's tcache sizes: freed, they coalesce and glibc
 * trims its heap too, so the test also checks itself against glibc.
 * Run by purge_clock.sh also with CLOCK_MONOTONIC moved to where its
 * 32-bit ms count has the sign bit set. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

enum { MAX_BLOCKS = 1 << 16, LARGE = 16, CHURN = 4096 };

static void *blocks[MAX_BLOCKS], *large[LARGE], *churn[CHURN];

int main(int argc, char **argv)
{
    static const char usage[] = "usage: purge_delay_test [-w wait-ms]\n";
    long wait_ms = parse_only_option(argc, argv, 'w', 1500, usage);
    uint64_t rng = 7;
    size_t total = 0;
    int n = 0;
    while (total < (48u << 20) && n < MAX_BLOCKS) {
        size_t size = rng_log_size(&rng, 1100, 32768);
        if (!(blocks[n] = API(malloc)(size))) {
            fprintf(stderr, "purge_delay_test: malloc(%zu) failed\n", size);
            return 1;
        }
        memset(blocks[n++], 0x5A, size);
        total += size;
    }
    for (int i = 0; i < LARGE; i++) {
        if (!(large[i] = API(malloc)(1 << 20))) {
            fprintf(stderr, "purge_delay_test: malloc(1 MiB) failed\n");
            return 1;
        }
        memset(large[i], 0x5A, 1 << 20);
    }
    long peak = rss_kb();
    for (int i = LARGE; i-- > 0;)
        API(free)(large[i]);
    for (int i = n; i-- > 0;)
        API(free)(blocks[i]);
    long after_free = rss_kb(), limit = peak / 2, final = after_free, dropped_at = -1;
    double t0 = now_ms();
    while (now_ms() - t0 < wait_ms) {
        for (int i = 0; i < CHURN; i++)
            churn[i] = API(malloc)(64);
        for (int i = 0; i < CHURN; i++)
            API(free)(churn[i]);
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
        final = rss_kb();
        if (dropped_at < 0 && final <= limit)
            dropped_at = (long)(now_ms() - t0);
    }
    printf("purge_delay_test (%s): %zu MiB in %d blocks + %d x 1 MiB, RSS peak %ld KiB, right after freeing all "
           "%ld KiB, after %ld ms of small churn %ld KiB (limit 50%% of peak = %ld KiB, reached after %ld ms)\n",
           API_NAME, total >> 20, n, LARGE, peak, after_free, wait_ms, final, limit, dropped_at);
    return final <= limit ? 0 : 1;
}
