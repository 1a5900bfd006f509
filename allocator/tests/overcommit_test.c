/* Requests larger than the machine can ever back must fail with ENOMEM, as
 * glibc's do, instead of succeeding and getting the program OOM-killed on
 * first touch. "Ever back" is the kernel's overcommit policy: with
 * vm.overcommit_memory 0 (heuristic) or 2 (strict), a mapping larger than
 * RAM + swap is refused. (With 1, "always", glibc succeeds too: run.sh skips
 * this test then.) Feasible requests, including large alignments, must
 * still succeed; nothing here touches the memory it gets. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc_api.h"
#include "test_util.h"

/* MemTotal + SwapTotal in bytes, or 0 if /proc/meminfo cannot be read. */
static size_t ram_and_swap(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    size_t total = 0, kb;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemTotal: %zu kB", &kb) == 1 || sscanf(line, "SwapTotal: %zu kB", &kb) == 1)
            total += kb << 10;
    fclose(f);
    return total;
}

#define CHECK_ENOMEM(call, ...)                                                 \
    do {                                                                        \
        errno = 0;                                                              \
        void *p_ = (call);                                                      \
        CHECK(p_ == NULL && errno == ENOMEM, __VA_ARGS__);                      \
        if (p_)                                                                 \
            API(free)(p_);                                                      \
    } while (0)

int main(void)
{
    size_t total = ram_and_swap();
    if (!total) {
        fprintf(stderr, "cannot read MemTotal/SwapTotal from /proc/meminfo\n");
        return 1;
    }
    size_t huge = 2 * total + (1UL << 30);
    CHECK_ENOMEM(API(malloc)(huge), "malloc(%zu GiB) did not fail with ENOMEM", huge >> 30);
    CHECK_ENOMEM(API(calloc)(huge >> 12, 4096), "calloc(%zu GiB) did not fail with ENOMEM", huge >> 30);
    CHECK_ENOMEM(API(memalign)((size_t)1 << 40, 100), "memalign(1 TiB, 100) did not fail with ENOMEM");
    CHECK_ENOMEM(API(aligned_alloc)(4096, huge), "aligned_alloc(%zu GiB) did not fail with ENOMEM",
                 huge >> 30);
    void *q = NULL;
    int rc = API(posix_memalign)(&q, (size_t)1 << 40, 100);
    CHECK(rc == ENOMEM && q == NULL, "posix_memalign(1 TiB, 100) returned %d", rc);
    if (rc == 0)
        API(free)(q);

    /* A failed realloc keeps the block, whether it was small or large. */
    static const size_t old_sizes[] = { 100, 1 << 20 };
    for (int i = 0; i < 2; i++) {
        unsigned char *p = API(malloc)(old_sizes[i]);
        CHECK(p, "malloc(%zu) failed", old_sizes[i]);
        if (!p)
            continue;
        memset(p, 0x5a, old_sizes[i]);
        errno = 0;
        unsigned char *r = API(realloc)(p, huge);
        CHECK(r == NULL && errno == ENOMEM, "realloc(%zu B block, %zu GiB) did not fail with ENOMEM", old_sizes[i],
              huge >> 30);
        if (r)
            p = r;
        else
            CHECK(p[0] == 0x5a && p[old_sizes[i] - 1] == 0x5a, "the block was changed by a failed realloc");
        API(free)(p);
    }

    /* Feasible: 1 GiB untouched, and the large alignments. */
    void *big = API(malloc)(1UL << 30);
    CHECK(big, "malloc(1 GiB) failed");
    API(free)(big);
    for (size_t align = 2 << 20; align <= 256 << 20; align *= 4) {
        void *p = API(memalign)(align, 100);
        CHECK(p && (uintptr_t)p % align == 0, "memalign(%zu MiB, 100) = %p", align >> 20, p);
        API(free)(p);
    }
    printf("overcommit_test: RAM + swap %zu MiB, asked for %zu GiB, %lu failures\n", total >> 20,
           huge >> 30, test_failures);
    return test_failures ? 1 : 0;
}
