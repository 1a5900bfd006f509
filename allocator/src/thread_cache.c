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

/* Detach the first n (>= 1) blocks of the list at *list (at least n long):
 * returns them as a list of their own, *list keeps the rest. */
static void *list_cut(void **list, uint32_t n) {
  void *first = *list, *last = first;
  for (uint32_t i = 1; i < n; i++) last = *(void **)last;
  *list = *(void **)last;
  *(void **)last = NULL;
  return first;
}

/* Detach up to want (>= 1) blocks from s's local free list (not empty);
 * *got says how many. */
static void *take_free(struct hk_slab *s, uint32_t want, uint32_t *got) {
  void *head = s->free;
  if (s->free_count <= want) {
    *got = s->free_count;
    s->free = NULL;
  } else {
    head = list_cut(&s->free, want);
    *got = want;
  }
  s->free_count -= *got;
  return head;
}

/* Fill the (empty) cache of cls with the got blocks from head; returns the first. */
static void *cache_fill(struct hk_heap *h, unsigned cls, void *head, uint32_t got) {
  struct hk_tcache *c = &h->cache[cls];
  c->head = *(void **)head;
  c->room = hk_cache_base(cls) - (int32_t)(got - 1);
  return head;
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
    head = take_free(s, want, &got);
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
  return cache_fill(h, cls, head, got);
}

/* Borrowing: a tiny class whose slabs have no free block left takes free
 * blocks of one of the next HAKMEM_TINY_BORROW larger classes (its cache,
 * else its current or first warm slab) instead of carving fresh ones. Each
 * class's resident memory is set by its own peak, and the classes' peaks
 * add up where one free list for all sizes pays for the peak of their sum:
 * a class above its usual share now uses what a neighbour below its own
 * has free. A borrowed block is a block of its slab like any other: its
 * free goes to its own class's cache (hk_check_double_free walks the
 * borrowers' caches too), so the borrower comes back for more while it
 * stays above its share: a lender needs BORROW_MIN_FREE free blocks and
 * gives half, at most BORROW_MAX. Measured on random_mixed (page faults at
 * 60M steps, mean of 3 seeds; cache misses per 10M): 16 and 16 saved 30
 * of 831 faults for 4x the misses, at 1.000x [0.994, 1.003] the speed
 * (compare/ab, 24 pairs); 8 and 64 saved 33 for 6x the misses at
 * 0.979x-0.987x. Only a class whose size is a multiple of the borrower's
 * lowest set bit lends: every block in a class's cache keeps the alignment
 * hk_malloc_aligned counts on. */
#define BORROW_MIN_FREE 16
#define BORROW_MAX 16
static uint32_t lent(uint32_t free_blocks) { return free_blocks / 2 < BORROW_MAX ? free_blocks / 2 : BORROW_MAX; }

static void *borrow(struct hk_heap *h, unsigned cls) {
  unsigned last = cls + (unsigned)hk_opt[HK_OPT_TINY_BORROW];
  if (last >= HK_NUM_TINY) last = HK_NUM_TINY - 1;
  uint32_t align = hk_class_size[cls] & -hk_class_size[cls];
  for (unsigned from = cls + 1; from <= last; from++) {
    if (hk_class_size[from] % align) continue; /* its blocks lack the alignment of ours */
    uint32_t cached = hk_cache_count(h, from);
    if (cached >= BORROW_MIN_FREE) {
      struct hk_tcache *c = &h->cache[from];
      uint32_t got = lent(cached);
      void *head = list_cut(&c->head, got);
      c->room += (int32_t)got;
      HK_ASSERT(hk_debug_walk(NULL, head, got) == NULL);
      return cache_fill(h, cls, head, got);
    }
    struct hk_slab *s = h->cls[from].current;
    if (!s || s->free_count == 0) s = h->cls[from].warm.head;
    if (!s || s->free_count < BORROW_MIN_FREE || s->free_count == relaxed_load(&s->carved)) continue;
    uint32_t got;
    void *head = take_free(s, lent(s->free_count), &got);
    HK_ASSERT(hk_debug_walk(s, head, got) == NULL && hk_slab_counts_ok(s));
    return cache_fill(h, cls, head, got);
  }
  return NULL;
}

void *hk_refill_alloc(struct hk_heap *h, unsigned cls) {
  struct hk_class_state *cs = &h->cls[cls];
  hk_purge_maybe();
  if (HK_STATS_ON()) h->stats[cls].refills++;
  for (;;) {
    struct hk_slab *s = cs->current;
    if (s) {
      if (s->free_count == 0 && !hk_slab_drain_remote(s)) {
        if (cs->warm.head && cs->warm.head->free_count) {
          /* Free blocks of a warm slab before fresh ones carved from this one:
           * carving touches pages no block has used yet, so a class whose frees
           * land on its other slabs would grow its resident memory by their
           * free blocks (random_mixed: 20% more pages than its live blocks). */
          if (relaxed_load(&s->carved) < s->capacity) {
            struct hk_slab *w = hk_warm_pop(h, cls);
            hk_warm_park(h, s);
            cs->current = s = w;
          }
        } else if (!hk_class_is_mid(cls) && cs->carve_ramp >= hk_refill_count[cls]) {
          /* Not while the class still ramps its carving up: a class of a
           * few blocks would live on borrowed ones for good, each refill a
           * borrow (tiny_hot: +2% instructions per op). */
          void *p = borrow(h, cls);
          if (p) {
            if (HK_STATS_ON()) h->stats[cls].borrows++;
            return p;
          }
        }
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
    void *kept = list_cut(&c->head, keep);
    rest = c->head;
    c->head = kept;
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
