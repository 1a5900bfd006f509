/* large.c - blocks above HAKMEM_MID_MAX: one mapping each, 2 MiB-aligned so
 * the region map finds its header, which sits in the first page (the user
 * pointer follows at max(4 KiB, alignment)). A few freed mappings are kept
 * (HAKMEM_LARGE_CACHE) so alternating malloc/free of one size does not
 * mmap/munmap each time; the purge pass unmaps those idle for too long. */
#include <errno.h>
#include <string.h>

#include "hakmem_internal.h"

/* The cache holds at most this many bytes in all. */
#define LARGE_CACHE_MAX_BYTES (64UL << 20)

static hk_lock_t large_lock = HK_LOCK_INIT;
static struct hk_large *cache; /* most recently freed first */
static _Atomic unsigned cache_count; /* read without the lock as a hint */
static size_t cache_bytes;

void hk_large_lock(void) { hk_lock(&large_lock); }
void hk_large_unlock(void) { hk_unlock(&large_lock); }
void hk_large_after_fork_child(void) { hk_lock_reset(&large_lock); }

static void unmap_large(struct hk_large *l) {
  hk_region_clear(l, l->map_size);
  hk_os_unmap(l, l->map_size);
  atomic_fetch_add_explicit(&hk_gstats.large_unmaps, 1, memory_order_relaxed);
}

/* A cached mapping of at least need bytes, wasting at most half of it. */
static struct hk_large *cache_take(size_t need) {
  if (!relaxed_load(&cache_count)) return NULL;
  hk_lock(&large_lock);
  struct hk_large **link = &cache, *l;
  while ((l = *link) && !(l->map_size >= need && l->map_size / 2 <= need)) link = &l->next;
  if (l) {
    *link = l->next;
    cache_count--;
    cache_bytes -= l->map_size;
  }
  hk_unlock(&large_lock);
  return l;
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
  struct hk_large *l = off == HK_PAGE ? cache_take(need) : NULL;
  if (l) {
    atomic_fetch_add_explicit(&hk_gstats.large_cache_hits, 1, memory_order_relaxed);
    l->cached = 0;
    if (zero) memset(l->user, 0, n);
    return l->user;
  }
  l = hk_os_map_aligned(need, off > HK_REGION_SIZE ? off : HK_REGION_SIZE);
  if (!l) {
    errno = ENOMEM;
    return NULL;
  }
  atomic_fetch_add_explicit(&hk_gstats.large_maps, 1, memory_order_relaxed);
  l->kind = HK_KIND_LARGE;
  l->map_size = need;
  l->user = (char *)l + off;
  hk_region_set(l, need, HK_KIND_LARGE);
  return l->user;
}

void hk_large_free(struct hk_large *l) {
  atomic_fetch_add_explicit(&hk_gstats.large_frees, 1, memory_order_relaxed);
  if (l->user == (char *)l + HK_PAGE) {
    hk_lock(&large_lock);
    if (relaxed_load(&cache_count) < (unsigned)hk_opt[OPT_LARGE_CACHE] &&
        cache_bytes + l->map_size <= LARGE_CACHE_MAX_BYTES) {
      l->cached = 1;
      l->cached_ms = hk_os_now_ms();
      l->next = cache;
      cache = l;
      cache_count++;
      cache_bytes += l->map_size;
      hk_unlock(&large_lock);
      hk_purge_note_pending();
      return;
    }
    hk_unlock(&large_lock);
  }
  unmap_large(l);
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
  hk_region_set(m, need, HK_KIND_LARGE);
  return m->user;
}

size_t hk_large_usable(struct hk_large *l) { return l->map_size - (size_t)(l->user - (char *)l); }

int hk_large_purge(uint32_t now_ms, uint32_t delay_ms) {
  int released = 0;
  hk_lock(&large_lock);
  struct hk_large **link = &cache, *l;
  while ((l = *link)) {
    if (now_ms - l->cached_ms >= delay_ms) {
      *link = l->next;
      cache_count--;
      cache_bytes -= l->map_size;
      unmap_large(l);
      released++;
    } else {
      link = &l->next;
    }
  }
  if (cache) hk_purge_note_pending();
  hk_unlock(&large_lock);
  return released;
}
