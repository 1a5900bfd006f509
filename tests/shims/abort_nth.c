/* Preload shim: the Nth call of malloc aborts (N = SHIM_ABORT_NTH, default
 * 1000); every other call goes to glibc. Tests that a crashing run is recorded. */
#include "shim_env.h"

#include <stdatomic.h>

static _Atomic unsigned long calls;

void *malloc(size_t size)
{
    static unsigned long nth;
    if (!nth)
        nth = shim_env("SHIM_ABORT_NTH", 1000);
    if (atomic_fetch_add(&calls, 1) + 1 == nth)
        abort();
    return __libc_malloc(size);
}
