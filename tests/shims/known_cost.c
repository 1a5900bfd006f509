/* Preload shim: glibc plus a known number of extra instructions, 1000 in every
 * malloc and 3000 in every free (nops the compiler cannot remove or merge).
 * harness/tests/test_alloc_cost.py checks that the allocator cost per call
 * rises by exactly these amounts over glibc's, each in its own function, and
 * that the driver's own share does not move. */
#include "shim_env.h"

#define NOPS(n) __asm__ volatile(".rept " #n "\n\tnop\n\t.endr")

void *malloc(size_t size)
{
    NOPS(1000);
    return __libc_malloc(size);
}

void free(void *p)
{
    NOPS(3000);
    __libc_free(p);
}
