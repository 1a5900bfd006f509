/* Large-buffer churn, the pattern of image, compression and I/O buffers:
 * a program keeps -b buffers of 5-25 MiB and, each step, replaces one
 * chosen at random with a new zero-initialised buffer (calloc) of a random
 * size, whose pages it then writes. At the end it frees them all.
 * Prints one RESULT line (as the workload drivers do): the churn's time,
 * its minor page faults, the peak RSS, and the RSS right after the frees
 * and after -i ms idle (no allocator call in between). With -r R it also
 * checks that the RSS after the frees is at most R% of the peak (memory
 * goes back to the system). Every page of each buffer is checked to read
 * zero. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

#define MIB (1UL << 20)
enum { MAX_BUFFERS = 256 };

/* Writes the first byte of every page, checking that the second reads zero
 * (the write first: a read of a fresh page maps the zero page, and the write
 * after it takes a second fault). */
static void fill(unsigned char *p, size_t size, unsigned char tag)
{
    for (size_t i = 0; i + 1 < size; i += 4096) {
        p[i] = tag;
        __asm__ volatile("" ::: "memory"); /* keeps the store first */
        CHECK(p[i + 1] == 0, "byte %zu of a %zu B calloc block is %u", i + 1, size, p[i + 1]);
    }
    p[size - 1] = tag;
}

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

int main(int argc, char **argv)
{
    static const char usage[] =
        "usage: large_churn_test [-b buffers (20)] [-n steps (300)] [-i idle ms (300)] [-r max RSS after frees, %% of peak]\n";
    long buffers = 20, steps = 300, idle_ms = 300, max_after_pct = 0;
    int opt;
    while ((opt = getopt(argc, argv, "b:n:i:r:")) != -1) {
        long v = optarg ? parse_count(optarg, usage) : 0;
        switch (opt) {
        case 'b': buffers = v; break;
        case 'n': steps = v; break;
        case 'i': idle_ms = v; break;
        case 'r': max_after_pct = v; break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc || buffers > MAX_BUFFERS) {
        fputs(usage, stderr);
        return 2;
    }
    unsigned char *buf[MAX_BUFFERS];
    size_t size[MAX_BUFFERS];
    unsigned char tag[MAX_BUFFERS];
    uint64_t seed = 42;
    for (long b = 0; b < buffers; b++) {
        size[b] = rng_range(&seed, 5 * MIB, 25 * MIB);
        buf[b] = API(calloc)(1, size[b]);
        if (!buf[b]) {
            fprintf(stderr, "calloc(1, %zu) failed\n", size[b]);
            return 1;
        }
        tag[b] = (unsigned char)b;
        fill(buf[b], size[b], tag[b]);
    }
    long faults0 = minor_faults();
    double t0 = now_ms();
    for (long i = 0; i < steps; i++) {
        long b = (long)rng_range(&seed, 0, (uint64_t)buffers - 1);
        CHECK(buf[b][0] == tag[b] && buf[b][size[b] - 1] == tag[b], "buffer %ld changed", b);
        API(free)(buf[b]);
        size[b] = rng_range(&seed, 5 * MIB, 25 * MIB);
        buf[b] = API(calloc)(1, size[b]);
        if (!buf[b]) {
            fprintf(stderr, "calloc(1, %zu) failed\n", size[b]);
            return 1;
        }
        tag[b] = (unsigned char)(i + 1);
        fill(buf[b], size[b], tag[b]);
    }
    double seconds = (now_ms() - t0) / 1e3;
    long faults = minor_faults() - faults0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    for (long b = 0; b < buffers; b++)
        API(free)(buf[b]);
    long after_free_kb = rss_kb();
    struct timespec idle = { idle_ms / 1000, idle_ms % 1000 * 1000000L };
    nanosleep(&idle, NULL);
    long after_idle_kb = rss_kb();
    /* The RESULT line of the workload drivers' contract (one op = one malloc or free), for compare/large_churn. */
    printf("RESULT workload=large_churn threads=1 ops=%ld seconds=%.6f ops_per_sec=%.1f buffers=%ld steps=%ld "
           "minflt=%ld peak_rss_mb=%.1f rss_after_free_mb=%.1f rss_after_idle_mb=%.1f failures=%lu\n",
           2 * steps, seconds, 2 * steps / seconds, buffers, steps, faults, ru.ru_maxrss / 1024.0,
           after_free_kb / 1024.0, after_idle_kb / 1024.0, test_failures);
    if (max_after_pct)
        CHECK(after_free_kb * 100 <= ru.ru_maxrss * max_after_pct, "RSS after the frees %ld KiB is above %ld%% of "
              "the peak %ld KiB", after_free_kb, max_after_pct, ru.ru_maxrss);
    return test_failures ? 1 : 0;
}
