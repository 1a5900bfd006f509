/* Preload shim: after N mallocs (N = SHIM_HANG_NTH, default 1000) every
 * malloc sleeps forever. Tests that a run's timeout is enforced. */
#include "shim_env.h"

#include <stdatomic.h>
#include <unistd.h>

static _Atomic unsigned long calls;

void *malloc(size_t size)
{
    static unsigned long nth;
    if (!nth)
        nth = shim_env("SHIM_HANG_NTH", 1000);
    if (atomic_fetch_add(&calls, 1) >= nth)
        for (;;)
            pause();
    return __libc_malloc(size);
}
