/* Small helpers shared by the allocator tests: failure counting, a
 * deterministic PRNG, a monotonic clock and the process RSS. None of them
 * allocate, so they are safe in any phase of a test. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>

extern unsigned long test_failures, test_section_failures;

/* Records a failure (with location) without stopping the test; only the
 * first 5 of each section (reset test_section_failures to start one) are
 * printed, so a broken allocator does not flood the log. */
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            test_failures++;                                                    \
            if (test_section_failures++ < 5) {                                  \
                fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
                fprintf(stderr, __VA_ARGS__);                                   \
                fputc('\n', stderr);                                            \
            }                                                                   \
        }                                                                       \
    } while (0)

/* xorshift64*: fast, good enough for picking sizes and slots. */
static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [lo, hi]. */
static inline uint64_t rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return lo + rng_next(s) % (hi - lo + 1);
}

/* Size with a log-uniform distribution in [lo, hi], like real programs. */
uint64_t rng_log_size(uint64_t *s, uint64_t lo, uint64_t hi);

double now_ms(void);

/* VmRSS of this process in KiB from /proc/self/status, or -1. */
long rss_kb(void);

/* Parses a positive integer option; prints usage and exits 2 when bad. */
long parse_count(const char *arg, const char *usage);

/* For programs whose only option is "-<flag> N": returns N, or fallback
 * when the option is absent; anything else prints usage and exits 2. */
long parse_only_option(int argc, char **argv, char flag, long fallback, const char *usage);

#endif
