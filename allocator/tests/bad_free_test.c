/* Bad free: frees one pointer the allocator did not hand out (or frees a
 * block twice), chosen by the case name. It prints "ptr 0x..." first, so
 * run.sh can check that the allocator aborted with
 * `hakmem: free(): invalid pointer 0x...` (or `double free 0x...`) naming
 * that very address. Reaching the end means the bad free went unnoticed. */
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

int main(int argc, char **argv)
{
    static const char usage[] =
        "usage: bad_free_test stack|foreign-mmap|interior|double-tiny|double-mid|double-large\n";
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
