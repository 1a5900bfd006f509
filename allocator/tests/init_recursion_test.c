/* Init recursion: the first allocations of the process come from a
 * constructor, through malloc itself, pthread_create, stdio, dlsym/dlerror
 * and dlopen, before main and possibly before the allocator's own
 * constructor. An allocator that recurses into itself during init hangs or
 * crashes here; run.sh runs it with a timeout.
 * Built twice: as a program, and with -DEARLY_LIB as a shared library whose
 * constructor does the same work, preloaded before or after libhakmem. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int early_failures;

static void *thread_body(void *arg)
{
    char *s = malloc(64);
    if (!s)
        return NULL;
    snprintf(s, 64, "thread %s %.3f", (const char *)arg, 3.25);
    FILE *f = fopen("/proc/self/stat", "r");
    if (f) {
        char line[256];
        if (!fgets(line, sizeof line, f))
            early_failures++;
        fclose(f);
    }
    return s;
}

/* Allocates through every path that itself may call malloc. */
static void allocate_everywhere(const char *who)
{
    void *p = malloc(100);
    void *q = calloc(10, 100);
    p = realloc(p, 5000);
    if (!p || !q)
        early_failures++;
    free(q);
    free(p);

    pthread_t tid;
    void *ret = NULL;
    if (pthread_create(&tid, NULL, thread_body, (void *)who) != 0 || pthread_join(tid, &ret) != 0 || !ret)
        early_failures++;
    else if (strncmp(ret, "thread ", 7) != 0)
        early_failures++;
    free(ret);

    /* A failed lookup makes dlerror() allocate its message. */
    if (dlsym(RTLD_NEXT, "no_such_symbol_for_init_test") || !dlerror())
        early_failures++;
    void *lib = dlopen("libresolv.so.2", RTLD_NOW);
    if (!lib)
        early_failures++;
    else
        dlclose(lib);

    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem || fprintf(mem, "%s %d", who, 42) < 0 || fclose(mem) != 0 || !buf || len == 0)
        early_failures++;
    free(buf);
}

__attribute__((constructor(101))) static void early(void)
{
#ifdef EARLY_LIB
    allocate_everywhere("preloaded constructor");
    if (early_failures) {
        fprintf(stderr, "init_recursion: %d failures in the preloaded constructor\n", early_failures);
        abort();
    }
#else
    allocate_everywhere("constructor");
#endif
}

#ifndef EARLY_LIB
int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: init_recursion_test (no arguments)\n");
        return 2;
    }
    allocate_everywhere("main");
    printf("init_recursion_test: constructor and main allocated, %d failures\n", early_failures);
    return early_failures ? 1 : 0;
}
#endif
