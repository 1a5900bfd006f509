/* Preload shim: every malloc (or, with SHIM_SLOW_EVERY=N, every Nth malloc of
 * a thread) busy-waits SHIM_SLOW_NS nanoseconds (default 200) and then goes to
 * glibc. Injects a real, sized regression for the compare/ gates; every Nth
 * scales it down to a few percent (the clock reads alone cost tens of ns). */
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
    static unsigned long every;
    static __thread unsigned long count;
    if (delay < 0) {
        every = shim_env("SHIM_SLOW_EVERY", 1);
        delay = (long long)shim_env("SHIM_SLOW_NS", 200);
    }
    if (every > 1 && ++count % every)
        return __libc_malloc(size);
    long long end = now_ns() + delay;
    while (now_ns() < end)
        ;
    return __libc_malloc(size);
}
