/* Zero-byte blocks with large alignments from every member of the memalign
 * family: each must be a normal block (as glibc gives), aligned, inside
 * mapped memory, with a usable size that can be written, and freeable.
 * The alignments past 64 KiB are those served by single mappings. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc_api.h"
#include "test_util.h"

static void check_block(const char *fn, size_t align, void *p)
{
    CHECK(p, "%s(%zu, 0) returned NULL", fn, align);
    if (!p)
        return;
    CHECK((uintptr_t)p % align == 0, "%s(%zu, 0) = %p is not aligned", fn, align, p);
    unsigned char resident;
    void *page = (void *)((uintptr_t)p & ~(uintptr_t)4095);
    CHECK(mincore(page, 1, &resident) == 0 || errno != ENOMEM, "%s(%zu, 0) = %p lies outside any mapping", fn,
          align, p);
    size_t usable = API(malloc_usable_size)(p);
    memset(p, 0xa5, usable);
    API(free)(p);
}

int main(void)
{
    for (size_t align = 64 << 10; align <= 64 << 20; align *= 2) {
        check_block("memalign", align, API(memalign)(align, 0));
        check_block("aligned_alloc", align, API(aligned_alloc)(align, 0));
        void *p = NULL;
        int rc = API(posix_memalign)(&p, align, 0);
        CHECK(rc == 0, "posix_memalign(%zu, 0) returned %d", align, rc);
        check_block("posix_memalign", align, rc == 0 ? p : NULL);
    }
    printf("aligned_zero_test: alignments 64 KiB..64 MiB, size 0, %lu failures\n", test_failures);
    return test_failures ? 1 : 0;
}
