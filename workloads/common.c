#include "common.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPTS 16

static const char *workload_name = "?";
/* Option defaults as they were before parsing, for the usage text. */
static double defaults[MAX_OPTS];

static double opt_get(const struct opt *o)
{
    return o->kind == OPT_U64 ? (double)*(uint64_t *)o->value : *(double *)o->value;
}

static void usage(const struct cli *cli, FILE *out)
{
    fprintf(out, "usage: %s [--option=value | --option value]...", cli->workload);
    if (cli->positional) {
        fprintf(out, "\n       %s", cli->workload);
        for (const char *const *p = cli->positional; *p; p++)
            fprintf(out, " [%s", *p);
        for (const char *const *p = cli->positional; *p; p++)
            fputc(']', out);
    }
    fprintf(out, "\n%s\noptions:\n", cli->about);
    for (size_t i = 0; i < cli->nopts; i++) {
        const struct opt *o = &cli->opts[i];
        fprintf(out, "  --%-12s %s (default %g)\n", o->name, o->help, defaults[i]);
    }
    fprintf(out, "  --%-12s print this text and exit\n", "help");
}

void cli_fail(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli->workload);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    usage(cli, stderr);
    exit(2);
}

static void opt_set(const struct cli *cli, const struct opt *o, const char *text)
{
    char *end;
    double v;
    errno = 0;
    if (o->kind == OPT_U64) {
        if (*text == '-' || *text == '+')
            cli_fail(cli, "--%s: '%s' is not a whole number", o->name, text);
        unsigned long long u = strtoull(text, &end, 10);
        v = (double)u;
        if (end == text || *end || errno)
            cli_fail(cli, "--%s: '%s' is not a whole number", o->name, text);
        if (v < o->min || v > o->max)
            cli_fail(cli, "--%s: %s is outside [%g, %g]", o->name, text, o->min, o->max);
        *(uint64_t *)o->value = u;
    } else {
        v = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v))
            cli_fail(cli, "--%s: '%s' is not a number", o->name, text);
        if (v < o->min || v > o->max)
            cli_fail(cli, "--%s: %s is outside [%g, %g]", o->name, text, o->min, o->max);
        *(double *)o->value = v;
    }
}

static const struct opt *opt_find(const struct cli *cli, const char *name, size_t len)
{
    for (size_t i = 0; i < cli->nopts; i++)
        if (strlen(cli->opts[i].name) == len && strncmp(cli->opts[i].name, name, len) == 0)
            return &cli->opts[i];
    return NULL;
}

void cli_parse(const struct cli *cli, int argc, char **argv)
{
    const char *const *next_positional = cli->positional;

    workload_name = cli->workload;
    if (cli->nopts > MAX_OPTS) {
        fprintf(stderr, "%s: too many options for cli_parse\n", cli->workload);
        exit(2);
    }
    for (size_t i = 0; i < cli->nopts; i++)
        defaults[i] = opt_get(&cli->opts[i]);

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(cli, stdout);
            exit(0);
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (!next_positional || !*next_positional)
                cli_fail(cli, "unexpected argument '%s'", arg);
            const char *name = *next_positional++;
            opt_set(cli, opt_find(cli, name, strlen(name)), arg);
            continue;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct opt *o = opt_find(cli, name, len);
        if (!o)
            cli_fail(cli, "unknown option '%s'", arg);
        if (eq) {
            opt_set(cli, o, eq + 1);
        } else {
            if (i + 1 >= argc)
                cli_fail(cli, "%s needs a value", arg);
            opt_set(cli, o, argv[++i]);
        }
    }
}

void corruption(const void *p, size_t size, uint64_t tag, uint64_t key)
{
    uint64_t head = 0;
    const unsigned char *b = p;
    memcpy(&head, b, size > 8 ? 8 : size - 1);
    /* stderr is unbuffered: this does not allocate from the broken heap. */
    fprintf(stderr,
            "corruption: workload=%s block=%p size=%zu key=%" PRIu64
            " expected head=%016" PRIx64 " last=%02x, found head=%016" PRIx64 " last=%02x\n",
            workload_name, p, size, key, tag, (unsigned)((tag >> 56) ^ 0xa5) & 0xff, head,
            (unsigned)b[size - 1]);
    _exit(3);
}

void out_of_memory(size_t size)
{
    fprintf(stderr, "%s: malloc(%zu) returned NULL\n", workload_name, size);
    _exit(1);
}

void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "%s: mmap of %zu bytes for bookkeeping failed\n", workload_name, bytes);
        exit(1);
    }
    return p;
}

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sleep_until(double t)
{
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

void thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    int err = pthread_create(t, NULL, fn, arg);
    if (err) {
        fprintf(stderr, "%s: pthread_create failed: %s\n", workload_name, strerror(err));
        exit(1);
    }
}

void result_print(const struct cli *cli, uint64_t threads, uint64_t ops,
                  double seconds, const char *fmt, ...)
{
    va_list ap;
    printf("RESULT workload=%s threads=%" PRIu64 " ops=%" PRIu64 " seconds=%.6f ops_per_sec=%.1f",
           cli->workload, threads, ops, seconds, seconds > 0 ? (double)ops / seconds : 0.0);
    for (size_t i = 0; i < cli->nopts; i++) {
        const struct opt *o = &cli->opts[i];
        if (strcmp(o->name, "threads") == 0 || strcmp(o->name, "seconds") == 0)
            continue;  /* already a fixed key */
        fputc(' ', stdout);
        for (const char *c = o->name; *c; c++)
            fputc(*c == '-' ? '_' : *c, stdout);
        if (o->kind == OPT_U64)
            printf("=%" PRIu64, *(uint64_t *)o->value);
        else
            printf("=%g", *(double *)o->value);
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}
