/* Preload shim: every malloc busy-waits SHIM_SLOW_NS nanoseconds (default
 * 200) and then goes to glibc. Injects a real, sized regression for the
 * compare/ gates. */
#include "shim_env.h"

#include <time.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void *malloc(size_t size)
{
    static long long delay = -1;
    if (delay < 0)
        delay = (long long)shim_env("SHIM_SLOW_NS", 200);
    long long end = now_ns() + delay;
    while (now_ns() < end)
        ;
    return __libc_malloc(size);
}
