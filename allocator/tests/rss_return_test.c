/* RSS comes back down: allocate ~500 MB in Tiny and Mid blocks, free 95%
 * of it (all but the first 5% allocated, in allocation order: the order a
 * program tears down what it built, and one in which glibc can trim its
 * heap too, so the test also passes against glibc), then keep the
 * allocator a little busy for ~1.5 s. VmRSS must have dropped to well below
 * the peak by then: freed memory has to go back to the OS. The RSS is
 * sampled every 100 ms so the report says how long the drop took. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

enum { MAX_BLOCKS = 1 << 20 };

static void *blocks[MAX_BLOCKS];

int main(int argc, char **argv)
{
    static const char usage[] = "usage: rss_return_test [-m megabytes] [-w wait-ms]\n";
    long megabytes = 500, wait_ms = 1500;
    int opt;
    while ((opt = getopt(argc, argv, "m:w:")) != -1) {
        switch (opt) {
        case 'm': megabytes = parse_count(optarg, usage); break;
        case 'w': wait_ms = parse_count(optarg, usage); break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    uint64_t rng = 11;
    size_t total = 0, target = (size_t)megabytes << 20;
    int n = 0;
    while (total < target && n < MAX_BLOCKS) {
        size_t size = rng_log_size(&rng, 16, 32768);
        blocks[n] = API(malloc)(size);
        if (!blocks[n]) {
            fprintf(stderr, "rss_return_test: malloc(%zu) failed\n", size);
            return 1;
        }
        memset(blocks[n++], 0x5A, size);
        total += size;
    }
    long peak = rss_kb();
    int keep = n / 20;
    for (int i = keep; i < n; i++)
        API(free)(blocks[i]);
    long after_free = rss_kb();
    /* A little more allocator activity while the clock runs. */
    long limit = peak * 2 / 5, dropped_at = -1, final = after_free;
    double t0 = now_ms();
    for (long tick = 1; now_ms() - t0 < wait_ms; tick++) {
        double tick_end = t0 + tick * 100.0;
        while (now_ms() < tick_end) {
            void *p[32];
            for (int i = 0; i < 32; i++)
                p[i] = API(malloc)(rng_log_size(&rng, 16, 32768));
            for (int i = 0; i < 32; i++)
                API(free)(p[i]);
            nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
        }
        final = rss_kb();
        if (dropped_at < 0 && final <= limit)
            dropped_at = (long)(now_ms() - t0);
    }
    printf("rss_return_test (%s): %zu MiB in %d blocks, RSS peak %ld KiB, right after freeing 95%% %ld KiB, "
           "after %ld ms %ld KiB (limit 40%% of peak = %ld KiB, reached after %ld ms)\n",
           API_NAME, total >> 20, n, peak, after_free, wait_ms, final, limit, dropped_at);
    for (int i = 0; i < keep; i++)
        API(free)(blocks[i]);
    return final <= limit ? 0 : 1;
}
