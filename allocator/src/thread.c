/* thread.c - per-thread heaps: activation on a thread's first call, the
 * exit path (pthread key destructor) that hands everything back, and the
 * registry of live heaps (stats, fork). The caches are static TLS, zero at
 * thread start, so the first call of any thread needs no allocation; the
 * rest of the heap is its cold part (hakmem_internal.h). */
#include <limits.h>
#include <string.h>

#include "hakmem_internal.h"

__thread struct hk_heap hk_heap HK_TLS;

static hk_lock_t heaps_lock = HK_LOCK_INIT;
static struct {
  struct hk_heap_cold *head, *tail;
} live;                                /* cold parts of live heaps */
static struct hk_heap_cold *cold_free; /* cold parts no thread uses, clean */

/* A slab the thread owned goes to the shared pool: free if empty, else
 * partial, where other threads adopt it (remote frees keep arriving). */
static void abandon(struct hk_slab *s) {
  hk_slab_drain_remote(s);
  if (s->free_count == relaxed_load(&s->carved)) hk_pool_release_empty(s);
  else hk_pool_release_partial(s);
}

static void abandon_slabs(struct hk_heap_cold *c) {
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    struct hk_class_state *cs = &c->cls[cls];
    if (cs->current) abandon(cs->current);
    for (struct hk_slab *s = cs->warm.head, *next; s; s = next) {
      next = s->next; /* abandon relinks s */
      abandon(s);
    }
    *cs = (struct hk_class_state){0};
  }
  if (c->spare) hk_pool_release_spares(c->spare);
  c->spare = NULL;
  c->arena_chunks = 0;
}

/* Heaps lock held; c's slabs are abandoned and its counts merged (or, in a
 * fork child, dropped): it goes back to the free list clean. */
static void cold_release_locked(struct hk_heap_cold *c) {
  if (HK_STATS_ON()) memset(c->stats, 0, sizeof c->stats);
  c->heap = NULL;
  c->next = cold_free;
  cold_free = c;
}

/* The cold part of a heap whose thread ended without its exit destructor
 * (pthread_exit skipped by SYS_exit, or a first call in glibc's last
 * destructor round): its slabs go to the shared pool, its counts to the
 * totals; the blocks in its TLS cache are lost. */
static void reclaim_dead(struct hk_heap_cold *c) {
  abandon_slabs(c);
  if (HK_STATS_ON()) hk_stats_merge(c->stats);
  hk_lock(&heaps_lock);
  cold_release_locked(c);
  hk_unlock(&heaps_lock);
}

/* Joins the registry with a cold part; 0 if none could be mapped. */
static int registry_add(struct hk_heap *h) {
  hk_lock(&heaps_lock);
  /* A live entry for this TLS address belongs to a thread that ended
   * unseen: this thread has its TLS now. */
  struct hk_heap_cold *dead = live.head;
  while (dead && dead->heap != h) dead = dead->next;
  if (dead) hk_list_remove(&live, dead);
  struct hk_heap_cold *cold = cold_free;
  if (cold) cold_free = cold->next;
  else cold = hk_os_map((sizeof *cold + HK_PAGE - 1) & ~(HK_PAGE - 1));
  if (cold) {
    cold->heap = h;
    hk_list_push_front(&live, cold);
    h->cold = cold;
    h->cls = cold->cls;
    h->stats = cold->stats;
  }
  hk_unlock(&heaps_lock);
  if (dead) reclaim_dead(dead); /* before h formats slabs it owns */
  return cold != NULL;
}

/* Returns 0 if this thread must not own slabs any more (it has run its last
 * exit round): the caller then serves it without the thread cache. */
int hk_heap_activate(struct hk_heap *h) {
  hk_process_init(); /* may allocate through us, which activates h */
  if (h->state == HK_HEAP_ACTIVE) return 1;
  if (h->state == HK_HEAP_EXITED && h->exits >= PTHREAD_DESTRUCTOR_ITERATIONS) return 0;
  if (!registry_add(h)) return 0;
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) h->cache[cls].room = hk_cache_base(cls); /* empty */
  h->state = HK_HEAP_ACTIVE;
  hk_thread_key_set(h); /* may allocate: h is ready */
  return 1;
}

void hk_heap_exit(struct hk_heap *h) {
  if (h->state != HK_HEAP_ACTIVE) return;
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    if (h->cache[cls].head) hk_cache_flush(h, cls, 0);
    h->cache[cls].room = 0;
  }
  abandon_slabs(h->cold);
  if (HK_STATS_ON()) hk_stats_merge(h->stats);
  hk_lock(&heaps_lock);
  hk_list_remove(&live, h->cold);
  cold_release_locked(h->cold);
  hk_unlock(&heaps_lock);
  h->cold = NULL;
  h->cls = NULL;
  h->stats = NULL;
  h->state = HK_HEAP_EXITED;
}

void hk_heaps_lock(void) { hk_lock(&heaps_lock); }
void hk_heaps_unlock(void) { hk_unlock(&heaps_lock); }

/* In the child of fork only the forking thread exists. The other threads'
 * caches (in their TLS) are left alone: those blocks leak in the child. Their
 * slabs go to the shared pool: a new thread may get the same TLS address and
 * would believe it owns them. */
void hk_heaps_after_fork_child(struct hk_heap *self) {
  hk_lock_reset(&heaps_lock);
  for (struct hk_heap_cold *c = live.head, *next; c; c = next) {
    next = c->next;
    if (c->heap != self) {
      hk_list_remove(&live, c);
      abandon_slabs(c);
      cold_release_locked(c);
    }
  }
}

void hk_heaps_collect_stats(struct hk_class_stats *out) {
  hk_lock(&heaps_lock);
  for (struct hk_heap_cold *c = live.head; c; c = c->next) hk_class_stats_add(out, c->stats, HK_NUM_CLASSES);
  hk_unlock(&heaps_lock);
}
