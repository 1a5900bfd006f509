/* init.c - process initialisation, the thread-exit key, fork handlers and
 * the bad-pointer report.
 *
 * The first call of the process may come from the dynamic loader before
 * libc is initialised: init reads knobs without allocating and calls nothing
 * that allocates until hk_initialized is set, so that a recursive call from
 * pthread_atfork or pthread_setspecific finds a working allocator. */
#include <limits.h>
#include <pthread.h>

#include "hakmem_internal.h"

size_t hk_fast_limit;
_Atomic int hk_initialized;

static hk_lock_t init_lock = HK_LOCK_INIT;
static pthread_key_t heap_key;
static _Atomic int atfork_done;

/* glibc calls key destructors in up to PTHREAD_DESTRUCTOR_ITERATIONS rounds,
 * each for the keys still set. Ours sets its key again so that it runs in
 * every round and h->exits counts glibc's rounds: a later destructor that
 * allocates reactivates the heap only while another round will exit it
 * again (hk_heap_activate); after the last round the thread goes unowned. */
static void heap_key_destructor(void *arg) {
  struct hk_heap *h = arg;
  hk_heap_exit(h);
  if (++h->exits < PTHREAD_DESTRUCTOR_ITERATIONS) pthread_setspecific(heap_key, h);
}

/* Locks are taken in one order: stats (printing takes heaps under it),
 * heaps, pool, large. */
static void fork_prepare(void) {
  hk_stats_lock();
  hk_heaps_lock();
  hk_pool_lock();
  hk_large_lock();
}

static void fork_parent(void) {
  hk_large_unlock();
  hk_pool_unlock();
  hk_heaps_unlock();
  hk_stats_unlock();
}

static void fork_child(void) {
  hk_large_after_fork_child();
  hk_pool_after_fork_child();
  hk_heaps_after_fork_child(&hk_heap);
  hk_stats_after_fork_child();
}

void hk_process_init(void) {
  if (likely(atomic_load_explicit(&hk_initialized, memory_order_acquire))) return;
  hk_lock(&init_lock);
  if (!relaxed_load(&hk_initialized)) {
    hk_options_init();
    hk_size_classes_init();
    hk_thread_cache_init();
    pthread_key_create(&heap_key, heap_key_destructor);
    if (HK_STATS_ON()) hk_stats_init();
    hk_fast_limit = HK_STATS_ON() ? 0 : (size_t)hk_opt[HK_OPT_MID_MAX] + 1;
    atomic_store_explicit(&hk_initialized, 1, memory_order_release);
  }
  hk_unlock(&init_lock);
  if (!atomic_exchange(&atfork_done, 1)) pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void hk_thread_key_set(struct hk_heap *h) { pthread_setspecific(heap_key, h); }

void hk_bad_pointer(const char *fn, const char *what, void *p) {
  char buf[160];
  struct hk_text t = HK_TEXT(buf);
  hk_text_str(&t, "hakmem: ");
  hk_text_str(&t, fn);
  hk_text_str(&t, "(): ");
  hk_text_str(&t, what);
  hk_text_str(&t, " ");
  hk_text_hex(&t, (uintptr_t)p);
  hk_text_write_line(&t, 2);
  hk_os_abort();
}

/* Programs that never allocate still get their knobs checked and printed. */
__attribute__((constructor)) static void init_at_load(void) { hk_process_init(); }
