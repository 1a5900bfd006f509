/* Preload shim: a broken allocator. Every block up to ARENA_SIZE bytes is the
 * same static arena, so all live blocks overlap and a workload's corruption
 * check must fire. Larger requests, and all frees of pointers outside the
 * arena, go to glibc. */
#include "shim_env.h"

#include <stdint.h>
#include <string.h>

#define ARENA_SIZE (64 * 1024)

static _Alignas(64) unsigned char arena[ARENA_SIZE];

static int in_arena(const void *p)
{
    return (uintptr_t)p - (uintptr_t)arena < ARENA_SIZE;
}

void *malloc(size_t size)
{
    return size <= ARENA_SIZE ? arena : __libc_malloc(size);
}

void free(void *p)
{
    if (!in_arena(p))
        __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total) || total > ARENA_SIZE)
        return __libc_calloc(n, size);
    memset(arena, 0, total);
    return arena;
}

void *realloc(void *p, size_t size)
{
    if (!p)
        return malloc(size);
    if (!in_arena(p))
        return __libc_realloc(p, size);
    if (size <= ARENA_SIZE)
        return arena;
    void *q = __libc_malloc(size);
    if (q)
        memcpy(q, arena, ARENA_SIZE);
    return q;
}
