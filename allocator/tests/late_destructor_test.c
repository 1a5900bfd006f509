/* A pthread key destructor that allocates only in glibc's last destructor
 * round (it sets its key again to be called again), long after the
 * allocator's own thread-exit destructor ran in the first round, or in
 * threads that never called the allocator before (its destructor is not
 * even set then): the allocator must still tidy up after the thread. Then new threads (which
 * get the dead threads' stacks and TLS again) allocate, malloc_stats()
 * walks the allocator's threads, and a fork child allocates and exits. A
 * dead thread left in the allocator's list of threads makes one of these
 * loop forever (run.sh's timeout reports it) or corrupts the heap. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

enum { THREADS = 20, BLOCK = 100 };

static pthread_key_t key;
static void *late_blocks[THREADS];
static atomic_int late_count;

/* The key's value is the destructor round to come, starting at 1. */
static void late_destructor(void *value)
{
    uintptr_t round = (uintptr_t)value;
    if (round < PTHREAD_DESTRUCTOR_ITERATIONS) {
        pthread_setspecific(key, (void *)(round + 1));
        return;
    }
    void *p = API(malloc)(BLOCK);
    if (p)
        memset(p, 0x5A, BLOCK);
    API(free)(p);
    /* One block outlives the thread: main frees it. */
    late_blocks[atomic_fetch_add(&late_count, 1)] = API(malloc)(BLOCK);
}

/* arg: nonzero if the thread allocates before it exits. */
static void *exiting_thread(void *arg)
{
    if (arg)
        API(free)(API(malloc)(BLOCK));
    pthread_setspecific(key, (void *)1);
    return NULL;
}

static void *plain_thread(void *unused)
{
    (void)unused;
    void *p[64];
    for (int i = 0; i < 64; i++)
        p[i] = API(malloc)(16 + 16 * i);
    for (int i = 0; i < 64; i++)
        API(free)(p[i]);
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fputs("usage: late_destructor_test (no arguments)\n", stderr);
        return 2;
    }
    if (pthread_key_create(&key, late_destructor) != 0) {
        fputs("late_destructor_test: pthread_key_create failed\n", stderr);
        return 1;
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_t tid;
        pthread_create(&tid, NULL, exiting_thread, (void *)(intptr_t)(i % 2));
        pthread_join(tid, NULL);
        pthread_create(&tid, NULL, plain_thread, NULL);
        pthread_join(tid, NULL);
    }
    malloc_stats();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        API(free)(API(malloc)(BLOCK));
        _exit(0);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("late_destructor_test: fork child failed (status %d)\n", status);
        return 1;
    }
    int late = atomic_load(&late_count);
    for (int i = 0; i < late; i++)
        API(free)(late_blocks[i]);
    if (late != THREADS) {
        printf("late_destructor_test: the destructor ran its last round in %d of %d threads\n", late, THREADS);
        return 1;
    }
    printf("late_destructor_test (%s): %d threads (half of them allocating first) allocated in "
           "destructor round %d, then new threads, malloc_stats and a fork child ran\n",
           API_NAME, THREADS, PTHREAD_DESTRUCTOR_ITERATIONS);
    return 0;
}
