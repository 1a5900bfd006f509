/* Helpers shared by the test preload shims. They forward to glibc through its
 * exported __libc_* entry points, which needs no dlsym and so cannot recurse
 * into malloc during initialisation. */
#ifndef SHIM_ENV_H
#define SHIM_ENV_H

#include <stddef.h>
#include <stdlib.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);

/* The unsigned value of environment variable name, or fallback when unset or
 * not a number. getenv and strtoul do not allocate. */
static inline unsigned long shim_env(const char *name, unsigned long fallback)
{
    const char *s = getenv(name);
    char *end;
    unsigned long v;
    if (!s || !*s)
        return fallback;
    v = strtoul(s, &end, 10);
    return *end ? fallback : v;
}

#endif
