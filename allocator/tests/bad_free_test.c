/* Bad free: frees one pointer the allocator did not hand out (or frees a
 * block twice, or gives a bad pointer to realloc or malloc_usable_size),
 * chosen by the case name. It prints "ptr 0x..." first, so run.sh can check
 * that the allocator aborted with `hakmem: free(): invalid pointer 0x...`
 * (or `double free 0x...`, or another function's name) naming that very
 * address. Reaching the end means the bad pointer went unnoticed. */
#define _GNU_SOURCE
#include <stdio.h>
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

int main(int argc, char **argv)
{
    static const char usage[] =
        "usage: bad_free_test stack|foreign-mmap|interior|double-tiny|double-mid|double-large|\n"
        "                     large-realloc-interior|large-realloc-interior-grow|large-usable-interior|large-realloc-freed\n";
    if (argc != 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *c = argv[1];
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
    } else {
        size_t size = !strcmp(c, "double-tiny") ? 32 : !strcmp(c, "double-mid") ? 20000
                    : !strcmp(c, "double-large") ? 1 << 20 : 0;
        if (size == 0) {
            fputs(usage, stderr);
            return 2;
        }
        void *p = API(malloc)(size);
        memset(p, 1, size);
        announce(p);
        API(free)(p);
        API(free)(OPAQUE(p));
    }
    printf("survived: the bad free went unnoticed\n");
    return 0;
}
