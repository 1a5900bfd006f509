/* Parts shared by the workload drivers: command line, PRNG, clock, block
 * marking and checking, and the RESULT line. */
#ifndef WORKLOADS_COMMON_H
#define WORKLOADS_COMMON_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- command line ---------------------------------------------------- */

enum opt_kind { OPT_U64, OPT_F64 };

struct opt {
    const char *name;   /* flag without the leading "--" */
    enum opt_kind kind;
    void *value;        /* uint64_t * or double *; holds the default on entry */
    double min, max;    /* accepted range, inclusive */
    const char *help;
};

struct cli {
    const char *workload;           /* program name and RESULT workload= */
    const char *about;              /* what the driver does and what one op is */
    const struct opt *opts;
    size_t nopts;
    const char *const *positional;  /* option names filled in order by bare
                                       arguments, NULL-terminated; NULL = none */
};

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

/* Parses --name=value / --name value / --help; exits 0 after --help and 2
 * (usage on stderr) on anything it does not accept. */
void cli_parse(const struct cli *cli, int argc, char **argv);
/* For checks across options: message and usage on stderr, exit 2. */
__attribute__((noreturn, format(printf, 2, 3)))
void cli_fail(const struct cli *cli, const char *fmt, ...);

/* ---- PRNG: xorshift64*, seeded through splitmix64 -------------------- */

struct rng { uint64_t s; };

static inline uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Independent streams for one seed, e.g. one per thread. */
static inline void rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
    r->s = mix64(seed ^ mix64(stream)) | 1;  /* xorshift state must not be 0 */
}

static inline uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static inline uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

/* True with probability p. */
static inline int rng_chance(struct rng *r, double p)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53 < p;
}

/* ---- blocks: every block carries a tag derived from its key ---------- */

/* The tag of the block stored under key (slot, thread, ...) for a seed. */
static inline uint64_t block_tag(uint64_t seed, uint64_t key)
{
    return mix64(seed ^ mix64(key));
}

/* Writes up to 8 tag bytes at the start and one at the end of the block. */
static inline void block_mark(void *p, size_t size, uint64_t tag)
{
    unsigned char *b = p;
    memcpy(b, &tag, size > 8 ? 8 : size - 1);
    b[size - 1] = (unsigned char)(tag >> 56) ^ 0xa5;
}

static inline int block_intact(const void *p, size_t size, uint64_t tag)
{
    const unsigned char *b = p;
    return memcmp(b, &tag, size > 8 ? 8 : size - 1) == 0 &&
           b[size - 1] == ((unsigned char)(tag >> 56) ^ 0xa5);
}

/* Prints "corruption: ..." on stderr and exits 3. */
__attribute__((noreturn, cold))
void corruption(const void *p, size_t size, uint64_t tag, uint64_t key);

__attribute__((noreturn, cold)) void out_of_memory(size_t size);

/* malloc + mark; a NULL result ends the run with exit 1. */
static inline void *block_new(size_t size, uint64_t tag)
{
    void *p = malloc(size);
    if (!p)
        out_of_memory(size);
    block_mark(p, size, tag);
    return p;
}

/* check + free. */
static inline void block_free(void *p, size_t size, uint64_t tag, uint64_t key)
{
    if (!block_intact(p, size, tag))
        corruption(p, size, tag, key);
    free(p);
}

/* ---- the rest -------------------------------------------------------- */

/* Zeroed memory for the driver's own bookkeeping, taken with mmap so that it
 * neither goes through nor disturbs the allocator under test. */
void *map_zeroed(size_t bytes);

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);
void sleep_until(double t);

/* pthread_create that ends the run (exit 1) on failure. */
void thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* The one stdout line:
 * RESULT workload=W threads=T ops=N seconds=S ops_per_sec=R <option>=<value>...
 * followed by the extra " key=value" text from fmt (which starts with a space
 * or is empty). Options named like a fixed key (threads, seconds) are not
 * repeated. */
__attribute__((format(printf, 5, 6)))
void result_print(const struct cli *cli, uint64_t threads, uint64_t ops,
                  double seconds, const char *fmt, ...);

#endif
