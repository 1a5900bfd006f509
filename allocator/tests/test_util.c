#include "test_util.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

unsigned long test_failures, test_section_failures;

uint64_t rng_log_size(uint64_t *s, uint64_t lo, uint64_t hi)
{
    double u = (double)(rng_next(s) >> 11) / (double)(1ULL << 53);
    uint64_t v = (uint64_t)exp(log((double)lo) + u * (log((double)hi + 1) - log((double)lo)));
    return v < lo ? lo : v > hi ? hi : v;
}

double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

long rss_kb(void)
{
    /* read(2) into a stack buffer: stdio would allocate from the allocator under test. */
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *line = strstr(buf, "VmRSS:");
    return line ? strtol(line + 6, NULL, 10) : -1;
}

long parse_count(const char *arg, const char *usage)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v <= 0) {
        fprintf(stderr, "bad value '%s'\n%s", arg, usage);
        exit(2);
    }
    return v;
}

long parse_only_option(int argc, char **argv, char flag, long fallback, const char *usage)
{
    const char spec[] = { flag, ':', '\0' };
    long value = fallback;
    int opt;
    while ((opt = getopt(argc, argv, spec)) != -1) {
        if (opt != flag) {
            fputs(usage, stderr);
            exit(2);
        }
        value = parse_count(optarg, usage);
    }
    if (optind != argc) {
        fputs(usage, stderr);
        exit(2);
    }
    return value;
}
