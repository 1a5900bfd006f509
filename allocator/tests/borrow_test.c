/* Borrowing (HAKMEM_TINY_BORROW): a tiny class out of free blocks may take
 * free blocks of a larger class. The memalign family counts on a class's
 * blocks being aligned to the lowest set bit of its size, so a class must
 * never get blocks of a class without that alignment. Every size of
 * 16..1024 (steps of 16) first has 200 blocks in use, so that each class
 * carves at full rate (a class still ramping up does not borrow), and 40
 * free; then memalign of each alignment 32..512 and size, many times over
 * so that each class's free blocks run out and it borrows where a
 * neighbour allows, must be aligned. Any allocator must pass. Under
 * libhakmem (hak_malloc is there) some blocks must have come from a larger
 * class (usable size above that of a plain malloc of the size), or the
 * test did not test borrowing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "alloc_api.h"
#include "test_util.h"

#define SIZES 64 /* 16..1024 */
#define IN_USE 200
#define FREED 40
#define ROUNDS 300

static void *in_use[SIZES][IN_USE], *got[ROUNDS];

int main(void)
{
    for (size_t n = 16; n <= 1024; n += 16) {
        void *freed[FREED];
        for (int i = 0; i < IN_USE; i++)
            in_use[n / 16 - 1][i] = API(malloc)(n);
        for (int i = 0; i < FREED; i++)
            freed[i] = API(malloc)(n);
        for (int i = 0; i < FREED; i++)
            API(free)(freed[i]);
    }
    unsigned long checked = 0, larger = 0;
    for (size_t align = 32; align <= 512; align *= 2)
        for (size_t n = align; n <= 1024; n += align) {
            void *plain = API(malloc)(n);
            size_t class_size = API(malloc_usable_size)(plain);
            API(free)(plain);
            for (int i = 0; i < ROUNDS; i++) {
                void *p = API(memalign)(align, n);
                CHECK(p && (uintptr_t)p % align == 0, "memalign(%zu, %zu) = %p is not aligned", align, n, p);
                got[i] = p;
                if (!p)
                    continue;
                memset(p, 0x5a, n);
                larger += API(malloc_usable_size)(p) > class_size;
                checked++;
            }
            for (int i = 0; i < ROUNDS; i++)
                API(free)(got[i]);
        }
    int hakmem = dlsym(RTLD_DEFAULT, "hak_malloc") != NULL;
    if (hakmem)
        CHECK(larger > 0, "no block came from a larger class: borrowing was not exercised");
    printf("borrow_test (%s): %lu aligned blocks checked, %lu from a larger class%s, %lu failures\n",
           hakmem ? "libhakmem" : "not libhakmem", checked, larger, hakmem ? "" : " (not meaningful here)",
           test_failures);
    return test_failures ? 1 : 0;
}
