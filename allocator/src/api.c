/* api.c - the hak_ entry points: malloc/free slow paths, calloc, realloc,
 * the memalign family, usable size, trim. Semantics follow glibc 2.36. */
#include <errno.h>
#include <string.h>

#include "alloc_fast.h"

/* A thread past its last exit round must not own slabs: serve it from
 * single mappings (rare: only allocations made by late TLS destructors).
 * A slab size is served as its whole class, aligned as the class's blocks
 * are in a slab: calloc zeroes the class size, and the memalign family
 * counts on a class's alignment (see hk_malloc_aligned). */
static void *malloc_unowned(size_t n) {
  if (n > (size_t)hk_opt[HK_OPT_MID_MAX]) return hk_large_alloc(n, 0, 0);
  size_t size = hk_class_size[hk_size_class(n)];
  return hk_large_alloc(size, size & -size, 0);
}

void *hk_malloc_slow(size_t n) {
  struct hk_heap *h = &hk_heap;
  if (unlikely(h->state != HK_HEAP_ACTIVE) && !hk_heap_activate(h)) return malloc_unowned(n);
  if (n > (size_t)hk_opt[HK_OPT_MID_MAX]) return hk_large_alloc(n, 0, 0);
  unsigned cls = hk_size_class(n);
  struct hk_tcache *c = &h->cache[cls];
  struct hk_class_stats *st = &h->stats[cls];
  int stats = HK_STATS_ON();
  if (stats) st->mallocs++;
  void *p = c->head;
  if (p) {
    c->head = *(void **)p;
    c->room++;
    if (stats) st->cache_hits++;
    *hk_free_mark(p) = NULL;
    return p;
  }
  if (stats) st->cache_misses++;
  p = hk_refill_alloc(h, cls);
  if (p) *hk_free_mark(p) = NULL;
  else errno = ENOMEM;
  return p;
}

/* The slab block p, or NULL for a live large block (then *large is set);
 * anything else is reported for function fn and aborts. A large block
 * already freed (parked in the large cache) is a double free: realloc
 * would free it again. */
static struct hk_slab *classify(void *ptr, struct hk_large **large, const char *fn) {
  uintptr_t p = (uintptr_t)ptr;
  struct hk_view *v = hk_region_view(hk_region_entry(p));
  if (v->kind == HK_KIND_LARGE) {
    struct hk_large *l = (struct hk_large *)v;
    if (ptr != l->user || l->cached) hk_bad_pointer(fn, ptr == l->user ? "double free" : "invalid pointer", ptr);
    *large = l;
    return NULL;
  }
  struct hk_slab *s = hk_block_slab(p);
  if (!s) hk_bad_pointer(fn, "invalid pointer", ptr);
  return s;
}

void hk_free_slow(void *ptr) {
  if (!ptr) return;
  struct hk_large *large;
  struct hk_slab *s = classify(ptr, &large, "free");
  if (!s) {
    hk_large_free(large);
    hk_purge_maybe(); /* a program that only uses large blocks gets its idle mappings purged too */
    return;
  }
  if (*hk_free_mark(ptr) == hk_slab_mark(s)) hk_check_double_free(&hk_heap, s, ptr);
  *hk_free_mark(ptr) = hk_slab_mark(s);
  struct hk_heap *h = &hk_heap;
  if (unlikely(h->state != HK_HEAP_ACTIVE) && !hk_heap_activate(h)) { /* can no longer cache */
    hk_slab_free_run(NULL, s, ptr, ptr, 1);
    return;
  }
  unsigned cls = s->cls;
  if (HK_STATS_ON()) {
    h->stats[cls].frees++;
    struct hk_heap *owner = relaxed_load(&s->owner);
    if (owner != h && owner != NULL) h->stats[cls].remote_frees++; /* NULL: detached, owner unknown */
  }
  struct hk_tcache *c = &h->cache[cls];
  *(void **)ptr = c->head;
  c->head = ptr;
  c->room--;
  if (hk_cache_count(h, cls) > hk_cache_cap[cls]) hk_cache_flush(h, cls, hk_cache_cap[cls] / 2);
}

/* The fast path found no room in the cache of p's class (a valid block) and
 * took one all the same: gives it back and takes the slow path. */
void hk_free_no_room(void *ptr) {
  hk_heap.cache[hk_slab_of(ptr)->cls].room++;
  hk_free_slow(ptr);
}

size_t hk_usable_size(void *ptr) {
  if (!ptr) return 0;
  struct hk_large *large;
  struct hk_slab *s = classify(ptr, &large, "malloc_usable_size");
  return s ? s->size : hk_large_usable(large);
}

static int is_pow2(size_t x) { return x && !(x & (x - 1)); }

/* align: a power of two. Slab blocks of a class whose size is a multiple of
 * align are align-aligned (see size_class.c), so no block is ever offset. */
void *hk_malloc_aligned(size_t align, size_t n) {
  if (align <= HK_MAX_ALIGN) return hak_malloc(n);
  hk_process_init(); /* hk_opt is read below */
  if (n > PTRDIFF_MAX) {
    errno = ENOMEM;
    return NULL;
  }
  size_t need = n ? (n + align - 1) & ~(align - 1) : align;
  if (align <= HK_MID_LIMIT && need <= (size_t)hk_opt[HK_OPT_MID_MAX]) {
    unsigned cls = hk_size_class(need);
    if (hk_class_size[cls] % align) cls = hk_size_class((size_t)1 << (64 - __builtin_clzl(need - 1)));
    return hak_malloc(hk_class_size[cls]);
  }
  return hk_large_alloc(n, align, 0);
}

void *hak_malloc(size_t n) { return hk_malloc_inline(n); }

void hak_free(void *p) { hk_free_inline(p); }

void *hak_calloc(size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  hk_process_init(); /* hk_opt is read below */
  if (n > (size_t)hk_opt[HK_OPT_MID_MAX]) return hk_large_alloc(n, 0, 1);
  void *p = hk_malloc_inline(n);
  if (p) memset(p, 0, hk_class_size[hk_size_class(n)]);
  return p;
}

void *hak_realloc(void *p, size_t n) {
  if (!p) return hak_malloc(n);
  if (n == 0) { /* glibc: frees and returns NULL */
    hak_free(p);
    return NULL;
  }
  struct hk_large *large;
  struct hk_slab *s = classify(p, &large, "realloc");
  size_t usable = s ? s->size : hk_large_usable(large);
  if (n <= usable && n >= usable / 2) return p;
  if (!s && n > usable && n > (size_t)hk_opt[HK_OPT_MID_MAX]) {
    void *q = hk_large_grow(large, n);
    if (q) return q;
  }
  void *q = hak_malloc(n);
  if (!q) return NULL;
  memcpy(q, p, n < usable ? n : usable);
  hak_free(p);
  return q;
}

void *hak_reallocarray(void *p, size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  return hak_realloc(p, n);
}

int hak_posix_memalign(void **memptr, size_t align, size_t n) {
  if (!is_pow2(align) || align % sizeof(void *)) return EINVAL;
  int saved = errno;
  void *p = hk_malloc_aligned(align, n);
  errno = saved;
  if (!p) return ENOMEM;
  *memptr = p;
  return 0;
}

/* glibc 2.36: memalign rounds a non-power-of-two alignment up, rejects
 * alignments above SIZE_MAX / 2 + 1; aligned_alloc is the same function. */
void *hak_memalign(size_t align, size_t n) {
  if (align > SIZE_MAX / 2 + 1) {
    errno = EINVAL;
    return NULL;
  }
  if (!is_pow2(align)) align = align <= 1 ? 1 : (size_t)1 << (64 - __builtin_clzl(align - 1));
  return hk_malloc_aligned(align, n);
}

void *hak_aligned_alloc(size_t align, size_t n) { return hak_memalign(align, n); }

void *hak_valloc(size_t n) { return hk_malloc_aligned(HK_PAGE, n); }

void *hak_pvalloc(size_t n) {
  size_t rounded;
  if (__builtin_add_overflow(n, HK_PAGE - 1, &rounded)) {
    errno = ENOMEM;
    return NULL;
  }
  rounded &= ~(HK_PAGE - 1);
  return hk_malloc_aligned(HK_PAGE, rounded ? rounded : HK_PAGE);
}

size_t hak_malloc_usable_size(void *p) { return hk_usable_size(p); }

int hak_trim(void) {
  hk_process_init();
  return hk_purge_now();
}
