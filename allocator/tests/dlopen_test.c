/* libhakmem.so loaded with dlopen into a running program (a plugin host, a
 * language runtime): the load must succeed (initial-exec TLS has to fit in
 * what glibc keeps spare for late-loaded libraries) and its hak_ API must
 * work, from the main thread and from a second thread. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "payload.h"

static void *(*dl_malloc)(size_t);
static void (*dl_free)(void *);
static size_t (*dl_usable)(void *);

/* Allocates, checks and frees blocks of every tier; returns the number of bad ones (as a pointer, for pthread_join). */
static void *exercise(void *unused)
{
    (void)unused;
    enum { N = 300 };
    static const size_t sizes[] = { 16, 100, 1000, 5000, 40000, 300000 };
    void *p[N];
    uintptr_t bad = 0;
    for (int i = 0; i < N; i++) {
        size_t size = sizes[i % 6];
        p[i] = dl_malloc(size);
        if (!p[i] || dl_usable(p[i]) < size) {
            bad++;
            p[i] = NULL;
            continue;
        }
        payload_fill(p[i], size, i);
    }
    for (int i = 0; i < N; i++)
        if (p[i]) {
            bad += !payload_ok(p[i], sizes[i % 6], i);
            dl_free(p[i]);
        }
    return (void *)bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: dlopen_test path/to/libhakmem.so\n", stderr);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        printf("dlopen_test: dlopen failed: %s\n", dlerror());
        return 1;
    }
    dl_malloc = (void *(*)(size_t))dlsym(lib, "hak_malloc");
    dl_free = (void (*)(void *))dlsym(lib, "hak_free");
    dl_usable = (size_t(*)(void *))dlsym(lib, "hak_malloc_usable_size");
    if (!dl_malloc || !dl_free || !dl_usable) {
        printf("dlopen_test: hak_malloc, hak_free or hak_malloc_usable_size missing\n");
        return 1;
    }
    uintptr_t bad = (uintptr_t)exercise(NULL);
    pthread_t tid;
    void *thread_bad = NULL;
    if (pthread_create(&tid, NULL, exercise, NULL) != 0 || pthread_join(tid, &thread_bad) != 0) {
        printf("dlopen_test: pthread_create failed\n");
        return 1;
    }
    bad += (uintptr_t)thread_bad;
    printf("dlopen_test: %s loaded with dlopen, %lu bad blocks from its hak_ API\n", argv[1], (unsigned long)bad);
    return bad ? 1 : 0;
}
