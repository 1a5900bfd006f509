/* Bad free: frees one pointer the allocator did not hand out (or frees a
 * block twice, or gives a bad pointer to realloc or malloc_usable_size),
 * chosen by the case name. It prints "ptr 0x..." first, so run.sh can check
 * that the allocator aborted with `hakmem: free(): invalid pointer 0x...`
 * (or `double free 0x...`, or another function's name) naming that very
 * address. Reaching the end means the bad pointer went unnoticed.
 * Double frees, for a tiny, a mid and a large block:
 *   double-SIZE              free(p); free(p)
 *   double-SIZE-nonadjacent  free(p); free(q); free(p), then three mallocs
 *                            (unnoticed, two of them return the same block)
 *   double-SIZE-flushed      free(p), then enough other frees to push p out
 *                            of the thread cache into its slab, then free(p)
 *   double-borrowed          free(p) of a 64-byte block, then mallocs of 48
 *                            bytes until one borrows p, still free, into the
 *                            48-byte class's cache (HAKMEM_TINY_BORROW), then
 *                            free(p) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc_api.h"

static void announce(const void *p)
{
    printf("ptr %p\n", p);
    fflush(stdout);
}

/* Cases "large-*": a bad pointer into a 1 MiB block given to realloc or
 * malloc_usable_size. Prints "call <function>" for run.sh. */
static int bad_large_pointer(const char *c)
{
    char *p = API(malloc)(1 << 20);
    memset(p, 1, 1 << 20);
    int usable = !strcmp(c, "usable-interior");
    printf("call %s\n", usable ? "malloc_usable_size" : "realloc");
    if (!strcmp(c, "realloc-freed"))
        API(free)(p); /* parked in the large cache, still mapped */
    char *bad = !strcmp(c, "realloc-interior") ? p + 4096 : !strcmp(c, "realloc-interior-grow") ? p + 64
              : usable ? p + 8192 : !strcmp(c, "realloc-freed") ? p : NULL;
    if (!bad)
        return 2;
    announce(bad);
    if (usable)
        printf("malloc_usable_size = %zu\n", API(malloc_usable_size)(OPAQUE(bad)));
    else
        printf("realloc = %p\n", API(realloc)(OPAQUE(bad), !strcmp(c, "realloc-interior-grow") ? 8 << 20 : 100000));
    return 0;
}

/* More blocks than any thread cache of HAKMEM holds (128 tiny, 50 mid)
 * and than its large cache (32). */
#define FLUSH_BLOCKS 200

static int double_free(const char *how)
{
    const char *variant = strchr(how, '-');
    size_t len = variant ? (size_t)(variant - how) : strlen(how);
    size_t size = len == 4 && !strncmp(how, "tiny", 4) ? 32 : len == 3 && !strncmp(how, "mid", 3) ? 20000
                : len == 5 && !strncmp(how, "large", 5) ? 1 << 20 : 0;
    int nonadjacent = variant && !strcmp(variant, "-nonadjacent"), flushed = variant && !strcmp(variant, "-flushed");
    if (size == 0 || (variant && !nonadjacent && !flushed))
        return 2;
    static void *other[FLUSH_BLOCKS];
    void *p = API(malloc)(size);
    memset(p, 1, size);
    for (int i = 0; i < FLUSH_BLOCKS; i++)
        other[i] = API(malloc)(size);
    API(free)(p);
    for (int i = 0; i < (flushed ? FLUSH_BLOCKS : nonadjacent ? 1 : 0); i++)
        API(free)(other[i]);
    announce(p);
    API(free)(OPAQUE(p));
    void *got[3];
    for (int i = 0; i < 3; i++)
        got[i] = API(malloc)(size);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < i; j++)
            if (got[i] == got[j])
                printf("malloc returned %p twice\n", got[i]);
    return 0;
}

/* The 48-byte class runs out of free blocks after carving at full rate
 * (a class still ramping up its carving does not borrow); the 64-byte
 * class's cache holds 40, p second from the top. The malloc(48) that finds
 * no free block of its own borrows from the top: the first goes out, p
 * waits in the 48-byte cache, free but not in its own class's cache. */
static void double_free_borrowed(void)
{
    static void *other[38], *mine[1000];
    for (int i = 0; i < 38; i++)
        other[i] = API(malloc)(64);
    void *p = API(malloc)(64), *top = API(malloc)(64);
    for (int i = 0; i < 38; i++)
        API(free)(other[i]);
    API(free)(p);
    API(free)(top);
    int n = 0;
    while (n < 1000 && (mine[n] = API(malloc)(48)) != top)
        n++;
    if (n == 1000) {
        printf("no malloc(48) of 1000 borrowed a free 64-byte block\n");
        exit(3);
    }
    announce(p);
    API(free)(OPAQUE(p));
    void *again = API(malloc)(48), *twice = API(malloc)(64);
    if (again == twice)
        printf("malloc returned %p twice\n", again);
}

int main(int argc, char **argv)
{
    static const char usage[] =
        "usage: bad_free_test stack|foreign-mmap|interior|double-{tiny,mid,large}[-nonadjacent|-flushed]|double-borrowed|\n"
        "                     large-realloc-interior|large-realloc-interior-grow|large-usable-interior|large-realloc-freed\n";
    if (argc != 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *c = argv[1];
    /* stdout's buffer now, not between the frees and the bad one: a block
     * whose memory went back to the OS must not get its address reused by it. */
    printf("case %s\n", c);
    fflush(stdout);
    if (!strcmp(c, "stack")) {
        char local[64] = { 0 };
        announce(local);
        API(free)(OPAQUE((void *)local));
    } else if (!strcmp(c, "foreign-mmap")) {
        /* A page the allocator never saw, inside a 4 MiB mapping. */
        char *m = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return 3;
        announce(m + (2 << 20) + 256);
        API(free)(m + (2 << 20) + 256);
    } else if (!strcmp(c, "interior")) {
        char *p = API(malloc)(64);
        announce(p + 8);
        API(free)(OPAQUE(p + 8));
    } else if (!strncmp(c, "large-", 6)) {
        if (bad_large_pointer(c + 6)) {
            fputs(usage, stderr);
            return 2;
        }
    } else if (!strcmp(c, "double-borrowed")) {
        double_free_borrowed();
    } else if (strncmp(c, "double-", 7) || double_free(c + 7)) {
        fputs(usage, stderr);
        return 2;
    }
    printf("survived: the bad free went unnoticed\n");
    return 0;
}
