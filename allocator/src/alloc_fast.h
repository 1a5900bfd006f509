/* alloc_fast.h - the inline fast paths of malloc and free.
 *
 * Included by api.c (hak_ names) and alloc_override.c (malloc names) so that
 * both entry points inline the same code instead of calling through a PLT.
 * The fast path is a pop or push on the thread's class cache: no atomic, no
 * lock, no stats branch. Everything unusual (first call, stats on, a thread
 * after its exit destructor, large sizes, empty or full cache, bad pointers)
 * is routed to the slow path through the same two checks:
 *   malloc: n < hk_fast_limit (0 until init and when stats are on),
 *   free:   room > 0 (room is 0 before thread init and after exit, <= 0 with
 *           stats on; see hk_tcache).
 * A block of another thread's slab joins this thread's cache like any other
 * and is reused here at once; if the cache overflows, the flush sends it to
 * its slab's remote list. Checking the owner here instead cost 3-6% more
 * instructions per op, and with half the frees cross-thread it halved the
 * speed and tripled the peak RSS (mid_large_mt --cross-free=0.5).
 * Double frees: free compares the block's mark (hk_free_mark) with the
 * region map entry it already holds in a register, and malloc clears the
 * mark: one store each, the block's line is touched anyway. */
#ifndef HAKMEM_ALLOC_FAST_H
#define HAKMEM_ALLOC_FAST_H

#include "hakmem_internal.h"

static inline __attribute__((always_inline)) void *hk_malloc_inline(size_t n) {
  if (likely(n < hk_fast_limit)) {
    hk_tcache_tls *c = hk_tcache_at(hk_tcache_tp(hk_size_class(n)));
    void *p = c->head;
    if (likely(p != NULL)) {
      c->head = *(void **)p;
      c->room++;
      *hk_free_mark(p) = NULL;
      return p;
    }
  }
  return hk_malloc_slow(n);
}

static inline __attribute__((always_inline)) void hk_free_inline(void *ptr) {
  uintptr_t p = (uintptr_t)ptr;
  uintptr_t unit = p >> HK_MAP_SHIFT;
  if (likely(unit < HK_MAP_UNITS)) { /* NULL reads entry 0: no mapping of ours at address 0 */
    uintptr_t e = hk_region_entry_at(unit); /* also the mark of a free block of its slab */
    struct hk_view *v = hk_region_view(e);    /* not ours or large: the check fails */
    if (likely(hk_view_has_block(v, p))) {
      hk_tcache_tls *c = hk_tcache_at(v->cache_tp);
      if (likely(*hk_free_mark(ptr) != (void *)e)) {
        if (unlikely(--c->room < 0)) { /* the cache is full */
          hk_free_no_room(ptr);
          return;
        }
        *hk_free_mark(ptr) = (void *)e;
        *(void **)ptr = c->head;
        c->head = ptr;
        return;
      }
    }
  }
  hk_free_slow(ptr);
}

#endif
