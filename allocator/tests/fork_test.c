/* fork from a multithreaded process: while threads allocate and free
 * without pause, the main thread forks repeatedly. Each child frees the
 * blocks the parent's threads held at the fork (checking their payload),
 * allocates and frees a lot across all tiers, starts a thread that does the
 * same, and exits 0. A child that is not done within the timeout counts as
 * a deadlock and is killed. Exit status 0 only when every child succeeded.
 * -s adds two threads that keep the allocator's statistics busy: one calls
 * malloc_stats() without pause, one starts short threads (an exiting thread
 * merges its counters under HAKMEM_STATS); a child then prints statistics
 * at exit while one of them may have held the stats lock at the fork. Its
 * output is large: run it with stderr sent to /dev/null. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc_api.h"
#include "payload.h"
#include "test_util.h"

enum { BUSY_THREADS = 3, SLOTS = 256, CHILD_OPS = 6000, CHILD_TIMEOUT_MS = 8000 };

typedef struct {
    _Atomic(void *) p; /* published only after the payload is written */
    size_t size;
} slot_t;

static slot_t slots[BUSY_THREADS][SLOTS];
static atomic_bool stop;
static atomic_ulong parent_damaged;

static size_t pick_size(uint64_t *rng)
{
    uint64_t r = rng_next(rng) % 100;
    return r < 80 ? rng_log_size(rng, 1, 1024) : r < 97 ? rng_log_size(rng, 1025, 65536)
                                                        : rng_log_size(rng, 65537, 1 << 20);
}

static void *busy(void *arg)
{
    int self = (int)(intptr_t)arg;
    uint64_t rng = 12345 + self;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        slot_t *s = &slots[self][rng_next(&rng) % SLOTS];
        void *old = atomic_exchange(&s->p, NULL);
        if (old) {
            if (!payload_ok(old, s->size, s->size))
                atomic_fetch_add(&parent_damaged, 1);
            API(free)(old);
            continue;
        }
        size_t size = pick_size(&rng);
        void *p = API(malloc)(size);
        if (!p)
            continue;
        payload_fill(p, size, size);
        s->size = size;
        atomic_store_explicit(&s->p, p, memory_order_release);
    }
    return NULL;
}

static void *stats_printer(void *unused)
{
    (void)unused;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        malloc_stats();
    return NULL;
}

static void *short_thread(void *unused)
{
    (void)unused;
    API(free)(API(malloc)(64));
    return NULL;
}

static void *thread_starter(void *unused)
{
    (void)unused;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        pthread_t tid;
        if (pthread_create(&tid, NULL, short_thread, NULL) == 0)
            pthread_join(tid, NULL);
    }
    return NULL;
}

/* Allocation churn with verified payloads; returns the number of damaged blocks. */
static unsigned long churn(uint64_t seed, int ops)
{
    enum { LIVE = 512 };
    void *live[LIVE] = { 0 };
    size_t sizes[LIVE];
    unsigned long bad = 0;
    uint64_t rng = seed;
    for (int op = 0; op < ops; op++) {
        int i = (int)(rng_next(&rng) % LIVE);
        if (live[i]) {
            bad += !payload_ok(live[i], sizes[i], i);
            API(free)(live[i]);
            live[i] = NULL;
        } else {
            sizes[i] = pick_size(&rng);
            live[i] = API(malloc)(sizes[i]);
            if (!live[i])
                bad++;
            else
                payload_fill(live[i], sizes[i], i);
        }
    }
    for (int i = 0; i < LIVE; i++)
        if (live[i]) {
            bad += !payload_ok(live[i], sizes[i], i);
            API(free)(live[i]);
        }
    return bad;
}

static void *child_thread(void *arg)
{
    return (void *)(uintptr_t)churn((uintptr_t)arg, CHILD_OPS / 2);
}

static int child_main(int round)
{
    unsigned long bad = 0;
    /* Blocks of the parent's threads, which do not exist in the child. */
    for (int t = 0; t < BUSY_THREADS; t++)
        for (int i = 0; i < SLOTS; i++) {
            void *p = atomic_load_explicit(&slots[t][i].p, memory_order_acquire);
            if (p) {
                bad += !payload_ok(p, slots[t][i].size, slots[t][i].size);
                API(free)(p);
            }
        }
    bad += churn(round + 1, CHILD_OPS);
    pthread_t tid;
    void *thread_bad = NULL;
    if (pthread_create(&tid, NULL, child_thread, (void *)(uintptr_t)(round + 99)) != 0)
        return 4;
    pthread_join(tid, &thread_bad);
    bad += (uintptr_t)thread_bad;
    return bad ? 3 : 0;
}

/* Waits for pid at most timeout_ms; returns its wait status, or -1 after killing it. */
static int wait_with_timeout(pid_t pid, int timeout_ms)
{
    double deadline = now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 || now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
    }
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: fork_test [-f forks] [-s]\n";
    long forks = 10;
    int with_stats = 0, opt;
    while ((opt = getopt(argc, argv, "f:s")) != -1) {
        switch (opt) {
        case 'f': forks = parse_count(optarg, usage); break;
        case 's': with_stats = 1; break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    pthread_t tids[BUSY_THREADS + 2];
    int nthreads = BUSY_THREADS;
    for (int t = 0; t < BUSY_THREADS; t++)
        pthread_create(&tids[t], NULL, busy, (void *)(intptr_t)t);
    if (with_stats) {
        pthread_create(&tids[nthreads++], NULL, stats_printer, NULL);
        pthread_create(&tids[nthreads++], NULL, thread_starter, NULL);
    }
    int failed = 0;
    for (long round = 0; round < forks; round++) {
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            failed++;
            break;
        }
        if (pid == 0)
            exit(child_main((int)round));
        int status = wait_with_timeout(pid, CHILD_TIMEOUT_MS);
        if (status == -1) {
            printf("fork_test: child %ld hung for %d ms (deadlock after fork?)\n", round,
                    CHILD_TIMEOUT_MS);
            failed++;
            break; /* one deadlock says it all; do not wait for more */
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("fork_test: child %ld ended with %s %d\n", round,
                    WIFSIGNALED(status) ? "signal" : "exit code",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            failed++;
        }
    }
    atomic_store(&stop, true);
    for (int t = 0; t < nthreads; t++)
        pthread_join(tids[t], NULL);
    unsigned long damaged = atomic_load(&parent_damaged);
    printf("fork_test (%s): %ld forks of a %d-thread process, %d children failed, %lu parent blocks damaged\n",
           API_NAME, forks, nthreads + 1, failed, damaged);
    return failed || damaged ? 1 : 0;
}
