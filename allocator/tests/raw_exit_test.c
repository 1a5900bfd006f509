/* Threads that end with the exit system call instead of returning: glibc
 * runs no destructors for them, so the allocator never hears that they
 * ended. Each allocates first (blocks in its thread cache, slabs of its
 * own) and keeps one block for main. Then new threads (which get the dead
 * threads' stacks and TLS again) allocate, malloc_stats() walks the
 * allocator's threads and a fork child allocates and exits: none of them
 * may hang (run.sh's timeout reports it) or find a corrupt heap. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc_api.h"
#include "test_util.h"

enum { THREADS = 20, BLOCKS = 200 };

static void *kept[THREADS];

static void *exiting_thread(void *arg)
{
    int self = (int)(intptr_t)arg;
    void *p[BLOCKS];
    for (int i = 0; i < BLOCKS; i++)
        p[i] = API(malloc)(16 + 24 * (i % 40));
    for (int i = 0; i < BLOCKS; i++)
        API(free)(p[i]);
    kept[self] = API(malloc)(100);
    if (kept[self])
        memset(kept[self], 0x5A, 100);
    syscall(SYS_exit, 0);
    return NULL;
}

static void *plain_thread(void *unused)
{
    (void)unused;
    void *p[BLOCKS];
    for (int i = 0; i < BLOCKS; i++)
        p[i] = API(malloc)(16 + 24 * (i % 40));
    for (int i = 0; i < BLOCKS; i++)
        API(free)(p[i]);
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fputs("usage: raw_exit_test (no arguments)\n", stderr);
        return 2;
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_t tid;
        pthread_create(&tid, NULL, exiting_thread, (void *)(intptr_t)i);
        pthread_join(tid, NULL);
        pthread_create(&tid, NULL, plain_thread, NULL);
        pthread_join(tid, NULL);
    }
    malloc_stats();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        plain_thread(NULL);
        _exit(0);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("raw_exit_test: fork child failed (status %d)\n", status);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < THREADS; i++) {
        for (int j = 0; kept[i] && j < 100; j++)
            bad += ((unsigned char *)kept[i])[j] != 0x5A;
        API(free)(kept[i]);
    }
    printf("raw_exit_test (%s): %d threads ended with SYS_exit, each followed by a thread on its stack; "
           "malloc_stats and a fork child ran; %d bytes of kept blocks changed\n", API_NAME, THREADS, bad);
    return bad ? 1 : 0;
}
