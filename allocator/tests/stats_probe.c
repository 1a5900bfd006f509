/* A small program with a known allocation profile, for the knob and stats
 * checks in run.sh: 1000 Tiny blocks of 48 bytes, 100 Mid blocks of
 * 5000 bytes, 10 Large blocks of 200 KB, all freed, plus 100 blocks of
 * 64 bytes allocated by a thread and freed by main (remote frees). The
 * stats libhakmem prints at exit must account for at least these. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "alloc_api.h"

enum { TINY = 1000, MID = 100, LARGE = 10, REMOTE = 100 };

static void *remote[REMOTE];

static void *allocate_remote(void *unused)
{
    (void)unused;
    for (int i = 0; i < REMOTE; i++)
        remote[i] = API(malloc)(64);
    return NULL;
}

static int alloc_free(int count, size_t size)
{
    void *p[TINY];
    for (int i = 0; i < count; i++) {
        p[i] = API(malloc)(size);
        if (!p[i])
            return 1;
        memset(p[i], i, size);
    }
    for (int i = 0; i < count; i++)
        API(free)(p[i]);
    return 0;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: stats_probe (no arguments)\n");
        return 2;
    }
    int failed = alloc_free(TINY, 48) + alloc_free(MID, 5000) + alloc_free(LARGE, 200000);
    pthread_t tid;
    pthread_create(&tid, NULL, allocate_remote, NULL);
    pthread_join(tid, NULL);
    for (int i = 0; i < REMOTE; i++)
        API(free)(remote[i]);
    printf("stats_probe: done\n");
    return failed;
}
