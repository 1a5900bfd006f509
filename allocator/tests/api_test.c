/* API edge cases of the malloc family, as glibc documents them:
 * errno on impossible sizes, alignment of every size 0..4096 and of the
 * memalign family up to 4 MiB, usable size, calloc zeroing of reused memory,
 * realloc across Tiny -> Mid -> Large and back, realloc(NULL, n),
 * realloc(p, 0), failed realloc keeping the old block, reallocarray overflow.
 * Exit status 0 only when every check held. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc_api.h"
#include "payload.h"
#include "test_util.h"

#define MiB (1024UL * 1024)

static bool aligned(const void *p, size_t a)
{
    return ((uintptr_t)OPAQUE(p) & (a - 1)) == 0;
}

/* Alignment malloc owes a block of `size` bytes: 16 (alignof(max_align_t))
 * for sizes >= 16, otherwise the largest power of two <= size, which still
 * fits any object of that size. */
static size_t required_alignment(size_t size)
{
    size_t a = 1;
    while (a * 2 <= size && a < 16)
        a *= 2;
    return a;
}

static bool all_bytes(const void *p, size_t n, unsigned char v)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

static void test_impossible_sizes(void)
{
    const size_t huge[] = { SIZE_MAX, SIZE_MAX - 4095, (size_t)PTRDIFF_MAX + 1, (size_t)1 << 62,
                            (size_t)1 << 47 /* 128 TiB: passes size checks, cannot be mapped */ };
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        size_t n = OPAQUE(huge[i]);
        errno = 0;
        void *p = API(malloc)(n);
        CHECK(p == NULL && errno == ENOMEM, "malloc(%zu) = %p errno %d", n, p, errno);
        errno = 0;
        p = API(calloc)(1, n);
        CHECK(p == NULL && errno == ENOMEM, "calloc(1, %zu) = %p errno %d", n, p, errno);
        errno = 0;
        p = API(aligned_alloc)(64, n);
        CHECK(p == NULL && errno == ENOMEM, "aligned_alloc(64, %zu) = %p errno %d", n, p, errno);
        errno = 0;
        p = API(memalign)(4096, n);
        CHECK(p == NULL && errno == ENOMEM, "memalign(4096, %zu) = %p errno %d", n, p, errno);
        errno = 0;
        p = API(valloc)(n);
        CHECK(p == NULL && errno == ENOMEM, "valloc(%zu) = %p errno %d", n, p, errno);
        errno = 0;
        p = API(pvalloc)(n);
        CHECK(p == NULL && errno == ENOMEM, "pvalloc(%zu) = %p errno %d", n, p, errno);
        void *mp = (void *)0x1234;
        int rc = API(posix_memalign)(&mp, 64, n);
        CHECK(rc == ENOMEM && mp == (void *)0x1234, "posix_memalign(64, %zu) = %d, *memptr %p", n, rc,
              mp);
    }
    /* calloc whose product overflows size_t. */
    const size_t pairs[][2] = { { SIZE_MAX / 2 + 1, 2 }, { 2, SIZE_MAX / 2 + 1 }, { (size_t)1 << 32, (size_t)1 << 32 },
                                { SIZE_MAX, SIZE_MAX }, { 65537, SIZE_MAX / 65536 } };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        size_t a = OPAQUE(pairs[i][0]), b = OPAQUE(pairs[i][1]);
        errno = 0;
        void *p = API(calloc)(a, b);
        CHECK(p == NULL && errno == ENOMEM, "calloc(%zu, %zu) = %p errno %d", a, b, p, errno);
    }
}

static void test_posix_memalign_einval(void)
{
    const size_t bad[] = { 0, 1, 2, 4, 3, 12, 24, 48, 96, 4097, 3 * 4096, SIZE_MAX, (size_t)PTRDIFF_MAX };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *mp = (void *)0x5678;
        int rc = API(posix_memalign)(&mp, OPAQUE(bad[i]), 64);
        CHECK(rc == EINVAL && mp == (void *)0x5678, "posix_memalign(align %zu) = %d, *memptr %p", bad[i], rc,
              mp);
    }
}

static void test_malloc_zero_and_null(void)
{
    void *a = API(malloc)(0), *b = API(malloc)(0);
    CHECK(a != NULL && b != NULL && a != b, "malloc(0) gave %p and %p (glibc: distinct non-NULL)", a, b);
    API(free)(a);
    API(free)(b);
    API(free)(NULL);
    CHECK(API(malloc_usable_size)(NULL) == 0, "malloc_usable_size(NULL) != 0");
}

/* Every size 0..4096, all live at the same time: alignment, usable size,
 * and no two blocks overlapping (the patterns survive all the others). */
static void test_every_small_size(void)
{
    enum { MAX = 4096 };
    static void *blocks[MAX + 1];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t n = 0; n <= MAX; n++) {
            void *p = pass == 0 ? API(malloc)(n) : API(calloc)(1, n);
            blocks[n] = p;
            CHECK(p != NULL, "%s(%zu) = NULL", pass ? "calloc" : "malloc", n);
            if (!p)
                continue;
            CHECK(aligned(p, required_alignment(n)), "%s(%zu) = %p not %zu-aligned", pass ? "calloc" : "malloc",
                  n, p, required_alignment(n));
            CHECK(API(malloc_usable_size)(p) >= n, "malloc_usable_size(malloc(%zu)) = %zu", n,
                  API(malloc_usable_size)(p));
            if (pass == 1)
                CHECK(all_bytes(p, n, 0), "calloc(1, %zu) not zeroed", n);
            payload_fill(p, n, n);
        }
        for (size_t n = 0; n <= MAX; n++) {
            if (!blocks[n])
                continue;
            CHECK(payload_ok(blocks[n], n, n), "block of %zu bytes overwritten by another block", n);
            API(free)(blocks[n]);
        }
    }
}

static void check_aligned_block(const char *fn, void *p, size_t align, size_t size)
{
    CHECK(p != NULL, "%s(align %zu, size %zu) = NULL", fn, align, size);
    if (!p)
        return;
    CHECK(aligned(p, align), "%s(align %zu, size %zu) = %p misaligned", fn, align, size, p);
    size_t usable = API(malloc_usable_size)(p);
    CHECK(usable >= size, "%s(align %zu, size %zu): usable %zu", fn, align, size, usable);
    memset(p, 0xA5, usable);
    API(free)(p);
}

static void test_memalign_family(void)
{
    for (size_t align = 1; align <= 4 * MiB; align *= 2) {
        const size_t sizes[] = { 1, 16, 100, align / 2 + 1, align, align + 1, 3 * align + 5 };
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t size = sizes[i];
            if (align >= sizeof(void *)) {
                void *p = NULL;
                int rc = API(posix_memalign)(&p, align, size);
                CHECK(rc == 0, "posix_memalign(align %zu, size %zu) = %d", align, size, rc);
                if (rc == 0)
                    check_aligned_block("posix_memalign", p, align, size);
            }
            check_aligned_block("memalign", API(memalign)(align, size), align, size);
            if (size % align == 0)
                check_aligned_block("aligned_alloc", API(aligned_alloc)(align, size), align, size);
        }
    }
    /* Several aligned blocks live at once must not overlap. */
    enum { LIVE = 64 };
    void *live[LIVE];
    for (int i = 0; i < LIVE; i++) {
        size_t align = (size_t)64 << (i % 10), size = 100 + 37 * i;
        live[i] = API(memalign)(align, size);
        CHECK(live[i] && aligned(live[i], align), "memalign(%zu, %zu) = %p", align, size, live[i]);
        if (live[i])
            payload_fill(live[i], size, i);
    }
    for (int i = 0; i < LIVE; i++) {
        if (!live[i])
            continue;
        CHECK(payload_ok(live[i], 100 + 37 * i, i), "aligned block %d overwritten", i);
        API(free)(live[i]);
    }
    long page = sysconf(_SC_PAGESIZE);
    const size_t vsizes[] = { 0, 1, 100, 4095, 4096, 4097, 70000, 3 * MiB };
    for (size_t i = 0; i < sizeof vsizes / sizeof vsizes[0]; i++) {
        size_t n = vsizes[i];
        check_aligned_block("valloc", API(valloc)(n), page, n);
        void *p = API(pvalloc)(n);
        check_aligned_block("pvalloc", p, page, n);
    }
    /* pvalloc rounds the size up to whole pages. */
    void *p = API(pvalloc)(1);
    CHECK(p && API(malloc_usable_size)(p) >= (size_t)page, "pvalloc(1): usable %zu < page",
          p ? API(malloc_usable_size)(p) : 0);
    if (p) {
        memset(p, 1, page);
        API(free)(p);
    }
}

/* All of malloc_usable_size is writable: fill it on many neighbouring
 * blocks of one size, then check no fill reached a neighbour. */
static void test_usable_size_writable(void)
{
    const size_t sizes[] = { 1, 8, 15, 17, 24, 33, 100, 129, 500, 1000, 1023, 1025, 1500, 3000, 5000, 8191,
                             12345, 30000, 65535, 65536, 65537, 100000, 300000, 1 * MiB + 3 };
    enum { N = 24 };
    void *blocks[N];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int i = 0; i < N; i++) {
            blocks[i] = API(malloc)(sizes[s]);
            CHECK(blocks[i] != NULL, "malloc(%zu) = NULL", sizes[s]);
            if (!blocks[i])
                continue;
            size_t usable = API(malloc_usable_size)(blocks[i]);
            CHECK(usable >= sizes[s], "malloc_usable_size(malloc(%zu)) = %zu", sizes[s], usable);
            memset(blocks[i], 0x10 + i, usable);
        }
        for (int i = 0; i < N; i++) {
            if (!blocks[i])
                continue;
            size_t usable = API(malloc_usable_size)(blocks[i]);
            CHECK(all_bytes(blocks[i], usable, 0x10 + i), "usable area of malloc(%zu) overlaps a neighbour",
                  sizes[s]);
            API(free)(blocks[i]);
        }
    }
}

/* calloc must zero memory it reuses: dirty blocks of each tier, free them,
 * then calloc the same (and slightly smaller) sizes. */
static void test_calloc_zeroes_reused_memory(void)
{
    const size_t sizes[] = { 16, 48, 256, 1024, 2000, 8000, 40000, 65536, 70000, 300000, 2 * MiB, 8 * MiB };
    enum { N = 32 };
    void *blocks[N];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t size = sizes[s];
        int count = size >= MiB ? 3 : N;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < count; i++) {
                blocks[i] = API(malloc)(size);
                CHECK(blocks[i] != NULL, "malloc(%zu) = NULL", size);
                if (blocks[i])
                    memset(blocks[i], 0xEE, API(malloc_usable_size)(blocks[i]));
            }
            for (int i = 0; i < count; i++)
                API(free)(blocks[i]);
            size_t csize = size - (round == 2 ? size / 8 : 0);
            for (int i = 0; i < count; i++) {
                blocks[i] = round == 1 ? API(calloc)(csize / 8, 8) : API(calloc)(1, csize);
                CHECK(blocks[i] != NULL, "calloc(%zu) = NULL", csize);
                if (blocks[i])
                    CHECK(all_bytes(blocks[i], csize, 0), "calloc(%zu) returned dirty reused memory", csize);
            }
            for (int i = 0; i < count; i++)
                API(free)(blocks[i]);
        }
    }
}

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)(i * 7 + 3);
}

/* Reallocs one block through the sizes in seq, checking each step keeps
 * the common prefix and gives an aligned block of sufficient usable size. */
static void realloc_walk(const size_t *seq, int n)
{
    size_t cur = seq[0];
    unsigned char *p = API(malloc)(cur);
    CHECK(p != NULL, "malloc(%zu) = NULL", cur);
    if (!p)
        return;
    for (size_t i = 0; i < cur; i++)
        p[i] = pattern_byte(i);
    for (int k = 1; k < n; k++) {
        size_t next = seq[k];
        unsigned char *q = API(realloc)(p, next);
        CHECK(q != NULL, "realloc(%zu -> %zu) = NULL", cur, next);
        if (!q)
            break;
        CHECK(aligned(q, required_alignment(next)), "realloc to %zu: %p misaligned", next, (void *)q);
        CHECK(API(malloc_usable_size)(q) >= next, "realloc to %zu: usable %zu", next, API(malloc_usable_size)(q));
        size_t keep = cur < next ? cur : next, bad = keep;
        for (size_t i = 0; i < keep && bad == keep; i++)
            if (q[i] != pattern_byte(i))
                bad = i;
        CHECK(bad == keep, "realloc(%zu -> %zu) lost contents at byte %zu", cur, next, bad);
        for (size_t i = keep; i < next; i++)
            q[i] = pattern_byte(i);
        p = q;
        cur = next;
    }
    API(free)(p);
}

/* Contents survive realloc growing from Tiny through Mid to Large and back,
 * step by step and in single jumps between the extremes. */
static void test_realloc_across_tiers(void)
{
    const size_t up[] = { 1, 16, 24, 100, 1000, 1024, 1025, 2048, 4096, 8192, 30000, 65535, 65536, 65537,
                          100000, 262144, 1 * MiB, 5 * MiB, 16 * MiB };
    enum { N = sizeof up / sizeof up[0] };
    size_t seq[2 * N];
    for (int i = 0; i < N; i++)
        seq[i] = seq[2 * N - 1 - i] = up[i];
    realloc_walk(seq, 2 * N);
    const size_t jumps[] = { 24, 16 * MiB, 24, 70000, 1000, 3 * MiB, 65536, 65537, 65536, 17, 1 };
    realloc_walk(jumps, sizeof jumps / sizeof jumps[0]);
}

static void test_realloc_rules(void)
{
    /* realloc(NULL, n) behaves as malloc(n). */
    const size_t sizes[] = { 0, 1, 100, 5000, 100000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = API(realloc)(NULL, sizes[i]);
        CHECK(p != NULL && aligned(p, required_alignment(sizes[i])), "realloc(NULL, %zu) = %p", sizes[i], p);
        if (p) {
            CHECK(API(malloc_usable_size)(p) >= sizes[i], "realloc(NULL, %zu): usable too small", sizes[i]);
            memset(p, 3, sizes[i]);
            API(free)(p);
        }
    }

    /* glibc 2.36: realloc(p, 0) frees p and returns NULL. That it frees is
     * checked by doing it many times: a leak would add ~1 GB of RSS. */
    long before = rss_kb();
    const size_t zsizes[] = { 24, 4000, 40000, 300000 };
    for (int i = 0; i < 20000; i++) {
        size_t n = zsizes[i % 4];
        if (n > 100000 && i % 40 != 3)
            continue;
        void *p = API(malloc)(n);
        CHECK(p != NULL, "malloc(%zu) = NULL", n);
        if (!p)
            continue;
        memset(p, 1, n);
        void *q = API(realloc)(p, 0);
        CHECK(q == NULL, "realloc(p, 0) = %p, glibc returns NULL and frees p", q);
        if (q)
            API(free)(q);
    }
    long grown = rss_kb() - before;
    CHECK(grown < 64 * 1024, "realloc(p, 0) does not free: RSS grew by %ld KiB", grown);

    /* A failed realloc returns NULL, sets ENOMEM and leaves the block intact. */
    const size_t olds[] = { 100, 5000, 200000 };
    const size_t impossible[] = { SIZE_MAX, (size_t)PTRDIFF_MAX + 1, (size_t)1 << 47 };
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            void *p = API(malloc)(olds[i]);
            CHECK(p != NULL, "malloc(%zu) = NULL", olds[i]);
            if (!p)
                continue;
            payload_fill(p, olds[i], 42);
            errno = 0;
            void *q = API(realloc)(OPAQUE(p), OPAQUE(impossible[j]));
            CHECK(q == NULL && errno == ENOMEM, "realloc(%zu -> %zu) = %p errno %d", olds[i], impossible[j], q,
                  errno);
            CHECK(payload_ok(p, olds[i], 42), "failed realloc damaged the old block of %zu", olds[i]);
            API(free)(p);
        }

    /* reallocarray: overflow -> NULL, ENOMEM, old block kept; otherwise realloc. */
    unsigned char *p = API(reallocarray)(NULL, 10, 10);
    CHECK(p != NULL, "reallocarray(NULL, 10, 10) = NULL");
    if (p) {
        memset(p, 9, 100);
        errno = 0;
        /* OPAQUE(p): the compiler may not assume p is gone after a call that failed. */
        void *q = API(reallocarray)(OPAQUE(p), OPAQUE(SIZE_MAX / 2 + 1), 2);
        CHECK(q == NULL && errno == ENOMEM, "reallocarray overflow = %p errno %d", q, errno);
        errno = 0;
        q = API(reallocarray)(OPAQUE(p), OPAQUE((size_t)1 << 33), (size_t)1 << 31);
        CHECK(q == NULL && errno == ENOMEM, "reallocarray overflow = %p errno %d", q, errno);
        CHECK(all_bytes(p, 100, 9), "failed reallocarray damaged the block");
        unsigned char *r = API(reallocarray)(OPAQUE(p), 1000, 10);
        CHECK(r != NULL, "reallocarray(p, 1000, 10) = NULL");
        if (r) {
            CHECK(all_bytes(r, 100, 9), "reallocarray(p, 1000, 10) lost contents");
            API(free)(r);
        } else {
            API(free)(p);
        }
    }
}

static const struct {
    const char *name;
    void (*run)(void);
} sections[] = {
    { "impossible sizes: NULL + ENOMEM", test_impossible_sizes },
    { "posix_memalign bad alignment: EINVAL, *memptr untouched", test_posix_memalign_einval },
    { "malloc(0), free(NULL), malloc_usable_size(NULL)", test_malloc_zero_and_null },
    { "sizes 0..4096: aligned, usable, disjoint", test_every_small_size },
    { "memalign family: powers of two up to 4 MiB", test_memalign_family },
    { "malloc_usable_size: >= request, fully writable", test_usable_size_writable },
    { "calloc zeroes reused memory in every tier", test_calloc_zeroes_reused_memory },
    { "realloc keeps contents Tiny -> Mid -> Large and back", test_realloc_across_tiers },
    { "realloc(NULL, n), realloc(p, 0), failed realloc, reallocarray", test_realloc_rules },
};

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: api_test (no arguments)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    int failed_sections = 0;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        unsigned long before = test_failures;
        test_section_failures = 0;
        sections[i].run();
        if (test_failures == before) {
            printf("ok   %s\n", sections[i].name);
        } else {
            printf("FAIL %s: %lu checks failed\n", sections[i].name, test_failures - before);
            failed_sections++;
        }
    }
    printf("api_test (%s): %d of %zu sections failed\n", API_NAME, failed_sections,
           sizeof sections / sizeof sections[0]);
    return failed_sections ? 1 : 0;
}
