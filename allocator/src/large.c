/* large.c - blocks above HAKMEM_MID_MAX: one mapping each, 2 MiB-aligned so
 * the region map finds its header, which sits in the first page (the user
 * pointer follows at max(4 KiB, alignment)).
 *
 * Mappings of 2 MiB or more are madvised MADV_HUGEPAGE: where the system
 * allows transparent huge pages ("always" or "madvise"), a large block is
 * faulted in 2 MiB at a time (one fault instead of 512, and fewer TLB
 * misses each time the program walks the block). The cost is that a block
 * touched sparsely becomes resident in 2 MiB steps.
 *
 * Freed mappings are cached, and their resident pages are reused rather
 * than faulted in afresh: a request takes the cached mapping nearest its
 * size and cuts off its tail (which stays cached as a mapping of its own
 * from a 2 MiB boundary on) or grows it (mremap, in place or moved; the
 * growth is fresh). Growing it with the pages of other cached mappings
 * instead split their huge pages: large_churn_test ran 2-3x slower. The
 * cache holds at most
 * HAKMEM_LARGE_CACHE mappings and the larger of 32 MiB and a quarter of
 * the bytes of the large blocks in use (or just the last freed mapping, up
 * to 64 MiB), the oldest going first: freeing a program's large blocks
 * returns their memory at once, bar that floor, which the purge pass unmaps
 * once idle for HAKMEM_PURGE_DELAY_MS. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "hakmem_internal.h"

#define LARGE_CACHE_FLOOR_BYTES (32UL << 20)
#define LARGE_CACHE_LIVE_SHARE 4 /* cache bytes up to live bytes / this */
#define LARGE_CACHE_LAST_MAX (64UL << 20) /* the last freed mapping stays up to this size, whatever the cap */

static hk_lock_t large_lock = HK_LOCK_INIT;
static struct hk_large *cache; /* most recently freed first */
static _Atomic unsigned cache_count; /* read without the lock as a hint */
static size_t cache_bytes;
static _Atomic size_t live_bytes; /* mapped bytes of the large blocks in use */
_Atomic int hk_large_purge_pending; /* the cache holds mappings: hk_large_purge has work */

void hk_large_lock(void) { hk_lock(&large_lock); }
void hk_large_unlock(void) { hk_unlock(&large_lock); }
void hk_large_after_fork_child(void) { hk_lock_reset(&large_lock); }

static uintptr_t region_round_up(uintptr_t a) { return (a + HK_REGION_SIZE - 1) & ~(HK_REGION_SIZE - 1); }

/* A fresh header at l, whose page may hold anything. */
static void header_init(struct hk_large *l, size_t map_size, char *user) {
  *l = (struct hk_large){.view = {.kind = HK_KIND_LARGE}, .map_size = map_size, .user = user};
}

static void unmap_large(struct hk_large *l) {
  hk_region_clear(l, l->map_size);
  hk_os_unmap(l, l->map_size);
  atomic_fetch_add_explicit(&hk_gstats.large_unmaps, 1, memory_order_relaxed);
}

static void cache_push_locked(struct hk_large *l, uint32_t now) {
  l->cached = 1;
  l->cached_ms = now;
  l->next = cache;
  cache = l;
  cache_count++;
  cache_bytes += l->map_size;
}

static void cache_unlink_locked(struct hk_large **link) {
  struct hk_large *l = *link;
  *link = l->next;
  cache_count--;
  cache_bytes -= l->map_size;
}

static void cache_put(struct hk_large *l) {
  hk_lock(&large_lock);
  cache_push_locked(l, hk_os_now_ms());
  hk_unlock(&large_lock);
}

/* The cached mapping to build a block of need bytes from, off the list:
 * the smallest that holds need, else the largest. NULL when the cache is
 * empty. */
static struct hk_large *cache_take(size_t need) {
  if (!relaxed_load(&cache_count)) return NULL;
  hk_lock(&large_lock);
  struct hk_large **fit = NULL, **largest = NULL;
  for (struct hk_large **link = &cache; *link; link = &(*link)->next) {
    size_t size = (*link)->map_size;
    if (size >= need && (!fit || size < (*fit)->map_size)) fit = link;
    if (!largest || size > (*largest)->map_size) largest = link;
  }
  struct hk_large **link = fit ? fit : largest, *l = link ? *link : NULL;
  if (l) cache_unlink_locked(link);
  hk_unlock(&large_lock);
  return l;
}

/* Cuts mapping l (user pointer one page in) down to need bytes. A tail from
 * the next 2 MiB boundary on becomes a cached mapping of its own, and the
 * pages up to that boundary stay with l (less than 2 MiB more usable size):
 * unmapping them would cost a page fault each when they are needed again
 * (a third of the faults of large_churn_test, 13% of its time). Without
 * such a tail, the regions past the new end are forgotten while still
 * mapped: once unmapped, another thread's mmap may get them and set its own
 * entries. */
static void shrink(struct hk_large *l, size_t need) {
  uintptr_t end = (uintptr_t)l + l->map_size, cut = (uintptr_t)l + need, kept = region_round_up(cut);
  if (kept + 2 * HK_PAGE <= end) {
    l->map_size = kept - (uintptr_t)l;
    struct hk_large *tail = (struct hk_large *)kept;
    header_init(tail, end - kept, (char *)tail + HK_PAGE); /* over pages of l's block */
    hk_region_set(tail, tail->map_size, HK_KIND_LARGE);
    cache_put(tail);
    return;
  }
  l->map_size = need;
  if (kept < end) hk_region_clear((void *)kept, end - kept);
  hk_os_unmap((void *)cut, end - cut);
}

/* Resizes the mapping of l (user pointer one page in) to need bytes,
 * keeping its pages.
 * Returns the mapping, which moved if it could not grow in place, or NULL
 * if it cannot grow (then l is unchanged). *reused: bytes from the start
 * of the mapping that hold old pages (the rest is fresh, zero). */
static struct hk_large *resize(struct hk_large *l, size_t need, size_t *reused) {
  size_t old = l->map_size;
  if (need <= old) {
    shrink(l, need);
    *reused = need;
    return l;
  }
  /* Forget the old range while it is still mapped: once mremap moves it away,
   * another thread's mmap may get it and set its own entries there. */
  hk_region_clear(l, old);
  struct hk_large *m = hk_os_grow(l, old, need, HK_REGION_SIZE);
  if (!m) {
    hk_region_set(l, old, HK_KIND_LARGE);
    return NULL;
  }
  m->map_size = need;
  m->user = (char *)m + HK_PAGE;
  /* The block has moved: with no room in the region map for its new place
   * (no memory for a leaf) it can be neither returned nor given back. */
  if (!hk_region_set(m, need, HK_KIND_LARGE)) hk_bad_pointer("resize", "no memory for the region map at", m->user);
  *reused = old;
  return m;
}

/* A block of need bytes built from cached mappings, or NULL. zero: clear
 * its first n bytes. */
static void *alloc_cached(size_t need, size_t n, int zero) {
  struct hk_large *l = cache_take(need);
  if (!l) return NULL;
  size_t reused = l->map_size;
  /* A tail under 1/8 of the request stays; a larger one is cut off. */
  struct hk_large *m = reused < need || reused - need > need / 8 ? resize(l, need, &reused) : l;
  if (!m) {
    unmap_large(l);
    return NULL;
  }
  atomic_fetch_add_explicit(&hk_gstats.large_cache_hits, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&live_bytes, m->map_size, memory_order_relaxed);
  m->cached = 0;
  if (zero) memset(m->user, 0, n < reused - HK_PAGE ? n : reused - HK_PAGE);
  return m->user;
}

void *hk_large_alloc(size_t n, size_t align, int zero) {
  size_t off = align > HK_PAGE ? align : HK_PAGE;
  /* A zero-byte block still gets a page: its pointer must lie in the mapping. */
  size_t need = off + (n ? n : 1) + HK_PAGE - 1;
  if (n > PTRDIFF_MAX || need < n) {
    errno = ENOMEM;
    return NULL;
  }
  need &= ~(HK_PAGE - 1);
  atomic_fetch_add_explicit(&hk_gstats.large_allocs, 1, memory_order_relaxed);
  void *p = off == HK_PAGE ? alloc_cached(need, n, zero) : NULL;
  if (p) return p;
  struct hk_large *l = hk_os_map_aligned(need, off > HK_REGION_SIZE ? off : HK_REGION_SIZE);
  if (!l) {
    errno = ENOMEM;
    return NULL;
  }
  if (need >= HK_REGION_SIZE) madvise(l, need, MADV_HUGEPAGE);
  header_init(l, need, (char *)l + off);
  if (!hk_region_set(l, need, HK_KIND_LARGE)) {
    hk_os_unmap(l, need);
    errno = ENOMEM;
    return NULL;
  }
  atomic_fetch_add_explicit(&hk_gstats.large_maps, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&live_bytes, need, memory_order_relaxed);
  return l->user;
}

void hk_large_free(struct hk_large *l) {
  atomic_fetch_add_explicit(&hk_gstats.large_frees, 1, memory_order_relaxed);
  size_t live = atomic_fetch_sub_explicit(&live_bytes, l->map_size, memory_order_relaxed) - l->map_size;
  if (l->user != (char *)l + HK_PAGE) { /* aligned blocks are not reused */
    unmap_large(l);
    return;
  }
  size_t cap = live / LARGE_CACHE_LIVE_SHARE;
  if (cap < LARGE_CACHE_FLOOR_BYTES) cap = LARGE_CACHE_FLOOR_BYTES;
  struct hk_large *evicted = NULL;
  hk_lock(&large_lock);
  cache_push_locked(l, hk_os_now_ms());
  /* Over a bound: the oldest go; l too if it alone is over and too big to
   * be the one mapping kept for a program that mallocs and frees one block. */
  while (relaxed_load(&cache_count) > (unsigned)hk_opt[HK_OPT_LARGE_CACHE] ||
         (cache_bytes > cap && (cache->next || cache_bytes > LARGE_CACHE_LAST_MAX))) {
    struct hk_large **link = &cache;
    while ((*link)->next) link = &(*link)->next;
    struct hk_large *old = *link;
    cache_unlink_locked(link);
    old->next = evicted;
    evicted = old;
  }
  hk_unlock(&large_lock);
  while (evicted) {
    struct hk_large *next = evicted->next;
    unmap_large(evicted);
    evicted = next;
  }
  relaxed_store(&hk_large_purge_pending, 1);
}

/* realloc of a large block: mremap moves page tables instead of copying bytes,
 * so a buffer grown a little at a time costs O(size) in all, not O(size^2).
 * Blocks with a larger alignment than a page are left to the copying path. */
void *hk_large_grow(struct hk_large *l, size_t n) {
  size_t need = HK_PAGE + n + HK_PAGE - 1;
  if (l->user != (char *)l + HK_PAGE || n > PTRDIFF_MAX || need < n) return NULL;
  need &= ~(HK_PAGE - 1);
  size_t old = l->map_size;
  if (need <= old) return NULL;
  size_t reused;
  struct hk_large *m = resize(l, need, &reused);
  if (!m) return NULL;
  atomic_fetch_add_explicit(&live_bytes, need - old, memory_order_relaxed);
  return m->user;
}

size_t hk_large_usable(struct hk_large *l) { return l->map_size - (size_t)(l->user - (char *)l); }

int hk_large_purge(uint32_t now_ms, uint32_t delay_ms) {
  int released = 0;
  hk_lock(&large_lock);
  struct hk_large **link = &cache, *l;
  while ((l = *link)) {
    if (now_ms - l->cached_ms >= delay_ms) {
      cache_unlink_locked(link);
      unmap_large(l);
      released++;
    } else {
      link = &l->next;
    }
  }
  relaxed_store(&hk_large_purge_pending, cache != NULL);
  hk_unlock(&large_lock);
  return released;
}
