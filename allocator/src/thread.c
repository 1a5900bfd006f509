/* thread.c - per-thread heaps: activation on a thread's first call, the
 * exit path (pthread key destructor) that hands everything back, and the
 * registry of live heaps (stats, fork). The heap is static TLS, zero at
 * thread start, so the first call of any thread needs no allocation. */
#include <limits.h>
#include <string.h>

#include "hakmem_internal.h"

__thread struct hk_heap hk_heap HK_TLS;

static hk_lock_t heaps_lock = HK_LOCK_INIT;
static struct hk_heap *heaps;

static struct hk_heap_cold *cold_free; /* cold parts no thread uses (heaps lock) */

/* Joins the registry with a cold part; 0 if none could be mapped. */
static int registry_add(struct hk_heap *h) {
  hk_lock(&heaps_lock);
  struct hk_heap_cold *cold = cold_free;
  if (cold) cold_free = cold->next_free;
  else if (!(cold = hk_os_map((sizeof *cold + HK_PAGE - 1) & ~(HK_PAGE - 1)))) {
    hk_unlock(&heaps_lock);
    return 0;
  }
  h->cold = cold;
  h->cls = cold->cls;
  h->stats = cold->stats;
  h->prev = NULL;
  h->next = heaps;
  if (heaps) heaps->prev = h;
  heaps = h;
  hk_unlock(&heaps_lock);
  return 1;
}

/* Heaps lock held; h's slabs are abandoned and its counts merged (or, in a
 * fork child, dropped): the cold part goes back clean. */
static void registry_remove_locked(struct hk_heap *h) {
  if (h->prev) h->prev->next = h->next;
  else heaps = h->next;
  if (h->next) h->next->prev = h->prev;
  if (HK_STATS_ON()) memset(h->stats, 0, sizeof h->cold->stats);
  h->cold->next_free = cold_free;
  cold_free = h->cold;
  h->cold = NULL;
  h->cls = NULL;
  h->stats = NULL;
}

/* Returns 0 if this thread must not own slabs any more (it has run its last
 * exit round): the caller then serves it without the thread cache. */
int hk_heap_activate(struct hk_heap *h) {
  hk_process_init(); /* may allocate through us, which activates h */
  if (h->state == HEAP_ACTIVE) return 1;
  if (h->state == HEAP_EXITED && h->exits >= PTHREAD_DESTRUCTOR_ITERATIONS) return 0;
  if (!registry_add(h)) return 0;
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) h->cache[cls].cap = HK_STATS_ON() ? 0 : hk_cache_cap[cls];
  h->state = HEAP_ACTIVE;
  hk_thread_key_set(h); /* may allocate: h is ready */
  return 1;
}

/* A slab the thread owned goes to the shared pool: free if empty, else
 * partial, where other threads adopt it (remote frees keep arriving). */
static void abandon(struct hk_slab *s) {
  hk_slab_drain_remote(s);
  if (s->free_count == relaxed_load(&s->carved)) hk_pool_release_empty(s);
  else hk_pool_release_partial(s);
}

static void abandon_slabs(struct hk_heap *h) {
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    struct hk_class_state *cs = &h->cls[cls];
    if (cs->current) abandon(cs->current);
    while (cs->warm) {
      struct hk_slab *s = cs->warm;
      hk_warm_remove(h, s);
      abandon(s);
    }
    cs->current = NULL;
    cs->warm_empty = 0;
  }
  if (h->spare) hk_pool_release_spares(h->spare);
  h->spare = NULL;
}

void hk_heap_exit(struct hk_heap *h) {
  if (h->state != HEAP_ACTIVE) return;
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    h->cache[cls].cap = 0;
    if (h->cache[cls].head) hk_cache_flush(h, cls, 0);
  }
  abandon_slabs(h);
  if (HK_STATS_ON()) hk_stats_merge(h->stats);
  hk_lock(&heaps_lock);
  registry_remove_locked(h);
  hk_unlock(&heaps_lock);
  h->state = HEAP_EXITED;
}

void hk_heaps_lock(void) { hk_lock(&heaps_lock); }
void hk_heaps_unlock(void) { hk_unlock(&heaps_lock); }

/* In the child of fork only the forking thread exists. The other threads'
 * heaps may be mid-update, so their caches are left alone (those blocks
 * leak in the child), but their slabs must change owner: a new thread may
 * get the same TLS address and would believe it owns them. */
void hk_heaps_after_fork_child(struct hk_heap *self) {
  hk_lock_reset(&heaps_lock);
  struct hk_heap *h = heaps;
  while (h) {
    struct hk_heap *next = h->next;
    if (h != self) {
      abandon_slabs(h);
      registry_remove_locked(h);
    }
    h = next;
  }
}

void hk_heaps_collect_stats(struct hk_class_stats *out) {
  hk_lock(&heaps_lock);
  for (struct hk_heap *h = heaps; h; h = h->next) hk_class_stats_add(out, h->stats, HK_NUM_CLASSES);
  hk_unlock(&heaps_lock);
}
