/* thread_cache.c - the thread cache ("unified cache") slow paths: refill from
 * the current slab in batches, flush back to the slabs when full. Serves
 * every slab class, tiny and mid alike. */
#include "hakmem_internal.h"

uint16_t hk_refill_count[HK_NUM_CLASSES];
uint16_t hk_cache_cap[HK_NUM_CLASSES];
intptr_t hk_tcache_tp0;

/* The refill and flush policy: HAKMEM_TINY_REFILL blocks per refill, for mid
 * classes at most HAKMEM_MID_REFILL_KB (at least 2 blocks); a cache flushes
 * at twice its refill. */
void hk_thread_cache_init(void) {
  hk_tcache_tp0 = (char *)&hk_heap.cache[0] - (char *)__builtin_thread_pointer();
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    long refill = hk_opt[HK_OPT_TINY_REFILL];
    if (hk_class_is_mid(cls)) {
      long by_bytes = (hk_opt[HK_OPT_MID_REFILL_KB] << 10) / hk_class_size[cls];
      if (refill > by_bytes) refill = by_bytes;
      if (refill < 2) refill = 2;
    }
    hk_refill_count[cls] = (uint16_t)refill;
    hk_cache_cap[cls] = (uint16_t)(2 * refill);
  }
}

/* Refill the (empty) cache of cls from s; returns one block, or NULL when s
 * has nothing left. Order: local free list, remote frees, uncarved space.
 * Carving writes a link into every block it hands over, so it touches their
 * pages: a thread's carving of a class starts at one block per refill and
 * doubles up to the refill count, so that a class used for a block or two
 * (stdio's 4 KiB buffer, a mid class refilling 256 KiB) costs a page, not
 * a whole refill's worth of resident memory. A tiny class carves no further
 * than the end of the page its first fresh block ends in: at each class's
 * peak, blocks carved beyond its live ones are pages touched for nothing,
 * and the classes' peaks add up (random_mixed: 32 KB less resident than
 * with 8 KiB carves). Carving is rare after a class's first peak. */
static void *take_from_slab(struct hk_heap *h, struct hk_slab *s, unsigned cls) {
  uint32_t want = hk_refill_count[cls];
  uint32_t got;
  void *head;
  HK_ASSERT(s->where == HK_SLAB_CURRENT && relaxed_load(&s->owner) == h && s->cls == cls);
  if (s->free_count == 0) hk_slab_drain_remote(s);
  if (s->free_count) {
    head = s->free;
    if (s->free_count <= want) {
      got = s->free_count;
      s->free = NULL;
    } else {
      void *last = head;
      for (uint32_t i = 1; i < want; i++) last = *(void **)last;
      s->free = *(void **)last;
      *(void **)last = NULL;
      got = want;
    }
    s->free_count -= got;
  } else {
    uint32_t carved = relaxed_load(&s->carved);
    got = s->capacity - carved;
    if (got == 0) return NULL;
    uint32_t *ramp = &h->cls[cls].carve_ramp;
    if (*ramp < want) {
      want = *ramp ? *ramp : 1;
      *ramp = 2 * want;
    }
    char *p = hk_slab_first_block(s) + (size_t)carved * s->size;
    if (!hk_class_is_mid(cls)) {
      uintptr_t page_end = ((uintptr_t)p + s->size + HK_PAGE - 1) & ~(HK_PAGE - 1);
      uint32_t in_page = (uint32_t)((page_end - (uintptr_t)p) / s->size);
      if (want > in_page) want = in_page;
    }
    if (got > want) got = want;
    head = p;
    for (uint32_t i = 1; i < got; i++, p += s->size) *(void **)p = p + s->size;
    *(void **)p = NULL;
    hk_slab_set_carved(s, carved + got);
  }
  HK_ASSERT(hk_debug_walk(s, head, got) == NULL && hk_slab_counts_ok(s));
  struct hk_tcache *c = &h->cache[cls];
  c->head = *(void **)head;
  c->room = hk_cache_base(cls) - (int32_t)(got - 1);
  return head;
}

void *hk_refill_alloc(struct hk_heap *h, unsigned cls) {
  struct hk_class_state *cs = &h->cls[cls];
  hk_purge_maybe();
  if (HK_STATS_ON()) h->stats[cls].refills++;
  for (;;) {
    struct hk_slab *s = cs->current;
    if (s) {
      if (s->free_count == 0 && !hk_slab_drain_remote(s) && relaxed_load(&s->carved) < s->capacity &&
          cs->warm.head && cs->warm.head->free_count) {
        /* Free blocks of a warm slab before fresh ones carved from this one:
         * carving touches pages no block has used yet, so a class whose frees
         * land on its other slabs would grow its resident memory by their
         * free blocks (random_mixed: 20% more pages than its live blocks). */
        struct hk_slab *w = hk_warm_pop(h, cls);
        hk_warm_park(h, s);
        cs->current = s = w;
      }
      void *p = take_from_slab(h, s, cls);
      if (p) return p;
      if (!hk_slab_detach(s, h)) continue; /* remote frees arrived meanwhile */
      cs->current = NULL;
    }
    s = hk_warm_pop(h, cls);
    if (!s) s = hk_pool_acquire(h, cls);
    if (!s) return NULL;
    cs->current = s;
  }
}

/* Keep the `keep` most recently freed blocks, give the rest back. */
void hk_cache_flush(struct hk_heap *h, unsigned cls, uint32_t keep) {
  struct hk_tcache *c = &h->cache[cls];
  void *rest;
  HK_ASSERT(hk_debug_walk(NULL, c->head, hk_cache_count(h, cls)) == NULL);
  if (keep == 0) {
    rest = c->head;
    c->head = NULL;
  } else {
    void *cut = c->head;
    for (uint32_t i = 1; i < keep; i++) cut = *(void **)cut;
    rest = *(void **)cut;
    *(void **)cut = NULL;
  }
  c->room = hk_cache_base(cls) - (int32_t)keep;
  hk_purge_maybe();
  hk_release_chain(h, rest);
}

/* Give a chain of blocks back to their slabs, one call per run of blocks of
 * the same slab. */
void hk_release_chain(struct hk_heap *h, void *list) {
  while (list) {
    struct hk_slab *s = hk_slab_of(list);
    void *first = list, *last = list;
    uint32_t n = 1;
    list = *(void **)list;
    while (list && hk_slab_of(list) == s) {
      last = list;
      list = *(void **)list;
      n++;
    }
    hk_slab_free_run(h, s, first, last, n);
  }
}
