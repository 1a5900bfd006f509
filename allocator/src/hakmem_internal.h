/* hakmem_internal.h - every internal type, constant and prototype of libhakmem.
 *
 * Memory layout in one paragraph: all small and mid blocks live in segments,
 * 2 MiB-aligned mappings whose first 4 KiB hold a header with one descriptor
 * per slab. A tiny segment (the "SuperSlab") is 2 MiB of 64 KiB slabs; a mid
 * segment (a "Pool TLS" arena chunk) is 1-8 MiB of 256 KiB slabs. A slab
 * serves one size class at a time; the class lives in the slab descriptor, so
 * blocks carry no header and stay 16-byte aligned. A region map (one entry
 * per 64 KiB of address space, in two levels) tells in two dependent loads
 * whether an address is ours and which slab descriptor or large header
 * holds it. Large blocks get their own 2 MiB-aligned mapping with the
 * header in its first page. */
#ifndef HAKMEM_INTERNAL_H
#define HAKMEM_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hakmem.h"

/* Everything declared below lives in libhakmem itself: without this, each
 * extern object (hk_fast_limit, the tables) is reached through the GOT, one
 * more load on the fast paths (-fvisibility=hidden covers definitions only). */
#pragma GCC visibility push(hidden)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define HK_COLD __attribute__((cold, noinline))
#define HK_NORETURN __attribute__((noreturn))
#define HK_TLS __attribute__((tls_model("initial-exec")))

#define relaxed_load(p) atomic_load_explicit((p), memory_order_relaxed)
#define relaxed_store(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
/* A relaxed load the compiler may fold into the instruction using it (GCC
 * never folds an atomic load: free's block check would take one instruction
 * more). For aligned words only, where a plain load is as atomic as a relaxed
 * one on every target we build for. ThreadSanitizer would call it a race:
 * it gets the atomic load. */
#if defined(__SANITIZE_THREAD__)
#define racy_load(p) relaxed_load(p)
#else
#define racy_load(p) (*(const __typeof__(atomic_load(p)) *)(p))
#endif

/* ------------------------------------------------------------------ geometry */
#define HK_PAGE 4096UL
#define HK_REGION_SHIFT 21 /* 2 MiB: alignment of segments and large mappings */
#define HK_REGION_SIZE (1UL << HK_REGION_SHIFT)
#define HK_ADDRESS_BITS 47 /* user address space on x86-64 / aarch64 */
#define HK_TINY_SLAB_SHIFT 16 /* 64 KiB */
#define HK_MID_SLAB_SHIFT 18  /* 256 KiB */
#define HK_SEG_MAX_SLABS 32
#define HK_SEG_HEADER_SIZE HK_PAGE
#define HK_MAX_ALIGN 16 /* alignof(max_align_t) */

/* ------------------------------------------------------------- size classes */
#define HK_TINY_MAX 1024   /* tiny: 16..1024 B, <= 25% rounding waste */
#define HK_MID_LIMIT 65536 /* mid classes stop here; HAKMEM_MID_MAX may lower it */
#define HK_NUM_TINY 20
#define HK_NUM_CLASSES 44 /* 20 tiny + 24 mid (4 per power of two) */
#define HK_CLASS_NONE 0xff

extern uint32_t hk_class_size[HK_NUM_CLASSES];
extern uint8_t hk_class_of[HK_MID_LIMIT / 16 + 1];      /* by (n + 15) >> 4: one load, no branch */

/* n <= HAKMEM_MID_MAX (at most HK_MID_LIMIT). */
static inline unsigned hk_size_class(size_t n) { return hk_class_of[(n + 15) >> 4]; }
static inline int hk_class_is_mid(unsigned cls) { return cls >= HK_NUM_TINY; }
void hk_size_classes_init(void);

/* ---------------------------------------------------------------- region map */
/* One entry per 64 KiB of address space that says, without touching the
 * address, whether it is ours and what holds it: the entry leads to a view
 * (hk_region_view), the head of the descriptor of the slab covering it, of
 * a large block's header, or, for an entry 0, of the map's own view "none".
 * Free reads a view without testing its kind: only a slab's view lets the
 * block check pass (see hk_view_has_block). Two levels (see region_map.c):
 * a leaf of entries per 128 GiB span. */
enum hk_region_kind { HK_KIND_NONE = 0, HK_KIND_SLABS = 1, HK_KIND_LARGE = 2 };

/* The fields free's fast path reads, in 32 aligned bytes: one cache line.
 * Large headers and "none" have magic and carved_limit 0. */
struct hk_view {
  _Alignas(32) uint64_t magic;   /* 2^64 / size, rounded down, + 1 (see hk_view_has_block) */
  _Atomic uint64_t carved_limit; /* carved * (size * magic mod 2^64): the bound of hk_view_has_block */
  intptr_t cache_tp;             /* the slab's class's thread cache from the thread pointer (hk_tcache_at) */
  uint32_t first_lo;             /* the slab's first block's address mod 2^32 */
  uint8_t kind;                  /* enum hk_region_kind */
};

#define HK_MAP_SHIFT 16
#define HK_MAP_UNITS (1UL << (HK_ADDRESS_BITS - HK_MAP_SHIFT))
#define HK_LEAF_SHIFT 37
#define HK_LEAF_BITS (HK_LEAF_SHIFT - HK_MAP_SHIFT)
#define HK_LEAF_ENTRIES (1UL << HK_LEAF_BITS)
#define HK_LEAVES (1UL << (HK_ADDRESS_BITS - HK_LEAF_SHIFT))
/* An entry is its view's address less that of none, so the all-zero leaf
 * leads to none, and none sits next to the top level so that free reaches
 * both from one address. leaves: each span's leaf address, less its span's
 * first unit number times the entry size: indexed with the whole unit
 * number, no mask (see region_map.c). */
struct hk_region_map {
  _Atomic uintptr_t leaves[HK_LEAVES];
  struct hk_view none;
};
extern struct hk_region_map hk_region_map;
/* &hk_region_map, hidden from the compiler so that free keeps it in one
 * register for both the top level and none (GCC would take the address
 * anew for each: one instruction more). */
static inline struct hk_region_map *hk_region_map_address(void) {
  struct hk_region_map *map = &hk_region_map;
  __asm__("" : "+r"(map));
  return map;
}

/* The entry of map unit u (address >> HK_MAP_SHIFT) < HK_MAP_UNITS. */
static inline _Atomic uintptr_t *hk_region_slot(uintptr_t u) {
  return (_Atomic uintptr_t *)(relaxed_load(&hk_region_map_address()->leaves[u >> HK_LEAF_BITS]) +
                               u * sizeof(uintptr_t));
}
static inline uintptr_t hk_region_entry_at(uintptr_t u) { return relaxed_load(hk_region_slot(u)); }
/* Any p: 0 above the user address space. */
static inline uintptr_t hk_region_entry(uintptr_t p) {
  return p >> HK_ADDRESS_BITS ? 0 : hk_region_entry_at(p >> HK_MAP_SHIFT);
}
static inline struct hk_view *hk_region_view(uintptr_t entry) {
  return (struct hk_view *)((uintptr_t)&hk_region_map_address()->none + entry);
}
static inline uintptr_t hk_view_entry(struct hk_view *v) { return (uintptr_t)v - (uintptr_t)&hk_region_map.none; }
/* 0 when the map has no room (a leaf for the range could not be mapped);
 * never for a range that was set before. HK_KIND_SLABS: base is a segment
 * whose slab_shift is set; HK_KIND_LARGE: base is a large header. */
int hk_region_set(void *base, size_t size, enum hk_region_kind kind);
void hk_region_clear(void *base, size_t size);

/* -------------------------------------------------------------- slabs, segments */
struct hk_heap;

enum hk_slab_where {
  HK_SLAB_UNUSED,   /* beyond the end of a short mid segment: never holds blocks */
  HK_SLAB_SPARE,    /* fresh slab of a thread's mid arena, not formatted yet */
  HK_SLAB_FREE,     /* shared pool free list, resident */
  HK_SLAB_PURGED,   /* shared pool free list, pages returned to the OS */
  HK_SLAB_CURRENT,  /* a thread refills its cache from it */
  HK_SLAB_WARM,     /* a thread's warm pool (owned, has or will have free blocks) */
  HK_SLAB_PARTIAL,  /* shared pool, unowned with blocks in use: any thread adopts it */
  HK_SLAB_DETACHED, /* full, unowned; the first thread to free into it claims it */
};

/* ------------------------------------------------------------- debug checks */
/* A HAKMEM_DEBUG build (make debug) checks the slab state machine: every
 * move of a slab between states and owners (hk_slab_move), the block counts,
 * the links of the slab lists and of the block chains handed between caches
 * and slabs. A failed check prints without allocating and aborts. A release
 * build compiles every check away (sizeof does not evaluate its operand). */
#ifdef HAKMEM_DEBUG
#define HK_ASSERT(cond) (likely(cond) ? (void)0 : hk_assert_fail(__FILE__, __LINE__, #cond))
HK_NORETURN void hk_assert_fail(const char *file, int line, const char *cond);
#else
#define HK_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

/* ------------------------------------------------------------- linked lists */
/* The one doubly linked list: head and tail of structs linked through their
 * next and prev members (slabs in the shared pool and the warm pools, the
 * registry of live heaps). l points to a struct with head and tail, e to an
 * element; both are evaluated more than once. A debug build checks the links
 * it touches. */
#define hk_list_push_front(l, e) hk_list_push_end(l, e, head, tail, prev, next)
#define hk_list_push_back(l, e) hk_list_push_end(l, e, tail, head, next, prev)
/* Put e at the end `end` of l: push_front and push_back mirrored. */
#define hk_list_push_end(l, e, end, other_end, outward, inward)                                       \
  do {                                                                                                \
    HK_ASSERT((l)->end ? (l)->end->outward == NULL && (l)->other_end != NULL : (l)->other_end == NULL); \
    (e)->outward = NULL;                                                                              \
    (e)->inward = (l)->end;                                                                           \
    if ((l)->end) (l)->end->outward = (e);                                                            \
    else (l)->other_end = (e);                                                                        \
    (l)->end = (e);                                                                                   \
  } while (0)
#define hk_list_remove(l, e)                                                                 \
  do {                                                                                       \
    HK_ASSERT((e)->prev ? (e)->prev->next == (e) : (l)->head == (e));                        \
    HK_ASSERT((e)->next ? (e)->next->prev == (e) : (l)->tail == (e));                        \
    if ((e)->prev) (e)->prev->next = (e)->next;                                              \
    else (l)->head = (e)->next;                                                              \
    if ((e)->next) (e)->next->prev = (e)->prev;                                              \
    else (l)->tail = (e)->prev;                                                              \
  } while (0)

struct hk_slab;
struct hk_slab_list {
  struct hk_slab *head, *tail;
};

/* Low bit of slab.remote: the slab is detached. */
#define HK_REMOTE_DETACHED ((uintptr_t)1)
/* slab.owner of slabs in the shared pool. */
#define HK_OWNER_POOL ((struct hk_heap *)1)

struct hk_slab {
  struct hk_view view;       /* first: a region entry leads to the slab */
  uint32_t size;             /* block size; 0 while the slab holds no class */
  _Atomic uint32_t carved;   /* blocks carved so far; read by any freeing thread */
  uint32_t capacity;         /* blocks that fit */
  uint32_t free_count;       /* blocks on the local free list */
  uint8_t cls, where, index;
  uint32_t released_ms;      /* when it joined the free list */
  void *free;                /* local free list: owner (or pool lock) only */
  _Atomic(struct hk_heap *) owner;
  _Atomic uintptr_t remote;  /* blocks freed by other threads | HK_REMOTE_DETACHED */
  struct hk_slab *next, *prev;
};

struct hk_segment {
  uint8_t slab_shift;
  uint16_t nslabs;           /* slabs that exist (<= HK_SEG_MAX_SLABS) */
  uint16_t pooled_slabs;     /* slabs on the shared pool free lists */
  size_t size;               /* bytes mapped */
  struct hk_slab slabs[HK_SEG_MAX_SLABS];
};
_Static_assert(sizeof(struct hk_segment) <= HK_SEG_HEADER_SIZE, "segment header");

static inline struct hk_segment *hk_slab_segment(struct hk_slab *s) {
  return (struct hk_segment *)((uintptr_t)s & ~(HK_REGION_SIZE - 1));
}
static inline char *hk_slab_base(struct hk_slab *s) {
  struct hk_segment *seg = hk_slab_segment(s);
  return (char *)seg + ((size_t)s->index << seg->slab_shift);
}
static inline size_t hk_slab_bytes(struct hk_slab *s) { return (size_t)1 << hk_slab_segment(s)->slab_shift; }

/* Debug checks: each move of a slab between states (see hk_slab_where) with
 * its new owner (a heap for CURRENT and WARM, NULL for DETACHED, HK_OWNER_POOL
 * in the shared pool) is one that the code makes. hk_debug_walk follows n
 * links from first and returns what the n-th block links to, or
 * HK_WALK_BROKEN if one of them is not a block (of s, unless s is NULL). */
int hk_debug_move_ok(struct hk_slab *s, enum hk_slab_where to, struct hk_heap *owner);
void *hk_debug_walk(struct hk_slab *s, void *first, uint32_t n);
#define HK_WALK_BROKEN ((void *)1)

/* Every change of a slab's state and owner goes through here. */
static inline void hk_slab_move(struct hk_slab *s, enum hk_slab_where to, struct hk_heap *owner) {
  HK_ASSERT(hk_debug_move_ok(s, to, owner));
  s->where = (uint8_t)to;
  relaxed_store(&s->owner, owner);
}

static inline int hk_slab_counts_ok(struct hk_slab *s) {
  uint32_t carved = relaxed_load(&s->carved);
  return s->free_count <= carved && carved <= s->capacity;
}

/* Blocks of an owned slab that are out (in caches or in use, remote frees not
 * yet drained). The slab is empty when this is 0. */
static inline uint32_t hk_slab_used(struct hk_slab *s) { return relaxed_load(&s->carved) - s->free_count; }

/* Whether p is exactly a block start of a carved block of the slab of view v
 * (the view of p's region entry). One multiply checks both (Lemire's divisibility test, extended by the
 * carved count): with magic = floor(2^64 / size) + 1, size * magic = 2^64 + e
 * with 1 <= e <= size, so the n-th block start (offset n * size from the
 * first) maps to n * e, and every other offset below 2^32 (those before the
 * first block wrap around) maps to n * e + r * magic with 0 < r < size, at
 * least magic > 2^47, or, when r = 0, to n * e with n beyond any slab's
 * blocks. So offset * magic < carved * e exactly for the carved block starts.
 * A slab without a class, a large header and none have magic 0 and
 * carved_limit 0: every check fails. */
static inline uint64_t hk_block_magic(uint32_t size) {
  return -(uint64_t)size / size + 2; /* (2^64 - size) / size = floor(2^64 / size) - 1 */
}
static inline int hk_view_has_block(struct hk_view *v, uintptr_t p) {
  return (uint64_t)((uint32_t)p - v->first_lo) * v->magic < racy_load(&v->carved_limit);
}

/* The slab holding p if p (any value) is exactly a block start of a carved
 * block, else NULL. */
static inline struct hk_slab *hk_block_slab(uintptr_t p) {
  struct hk_view *v = hk_region_view(hk_region_entry(p));
  return hk_view_has_block(v, p) ? (struct hk_slab *)v : NULL;
}

/* Sets the carved count and the bound hk_view_has_block derives from it. */
static inline void hk_slab_set_carved(struct hk_slab *s, uint32_t carved) {
  relaxed_store(&s->view.carved_limit, carved * (s->size * s->view.magic));
  relaxed_store(&s->carved, carved);
}

/* The first block of a formatted slab: first_lo is its address mod 2^32,
 * less than a segment's size from the segment's start. */
static inline char *hk_slab_first_block(struct hk_slab *s) {
  struct hk_segment *seg = hk_slab_segment(s);
  return (char *)seg + (uint32_t)(s->view.first_lo - (uint32_t)(uintptr_t)seg);
}

/* The slab of a block already known to be valid. */
static inline struct hk_slab *hk_slab_of(void *p) { return (struct hk_slab *)hk_region_view(hk_region_entry((uintptr_t)p)); }

/* Double-free mark: a block that is free (in a thread cache or on its slab's
 * lists) holds its slab's region map entry (hk_slab_mark) in its second
 * word; malloc clears the word when it hands the block out. A free finding
 * the mark has hk_check_double_free confirm it (the program may have stored
 * that value). */
static inline void **hk_free_mark(void *p) { return (void **)p + 1; }
static inline void *hk_slab_mark(struct hk_slab *s) { return (void *)hk_view_entry(&s->view); }
void hk_check_double_free(struct hk_heap *h, struct hk_slab *s, void *p);

struct hk_segment *hk_segment_map(size_t size, unsigned slab_shift);
void hk_segment_unmap(struct hk_segment *seg);
void hk_slab_format(struct hk_slab *s, unsigned cls, struct hk_heap *owner);
void hk_slab_reset(struct hk_slab *s);

/* ----------------------------------------------------------------- thread heap */
/* The cache of one class counts its room, not its blocks, so that free tests
 * and updates one value: room = base - count, where base is the cache's cap
 * while the heap is active with stats off. A free takes the fast path while
 * room > 0; with stats on base is 0 (room = -count <= 0), and a heap that is
 * not active keeps an empty cache with room 0: both send every free to the
 * slow path. */
struct hk_tcache {            /* the "unified cache" of one class */
  void *head;                 /* singly linked through the blocks' first word */
  int32_t room;
};

struct hk_class_state {
  struct hk_slab *current;
  struct hk_slab_list warm;         /* warm pool: owned slabs, partly used first, empty ones last */
  uint32_t warm_empty;              /* empty slabs in it (at most HAKMEM_WARM_POOL_SIZE) */
  uint32_t carve_ramp;              /* fresh blocks the next refill may carve (0: 1), see thread_cache.c */
};

struct hk_class_stats {
  uint64_t mallocs, frees, cache_hits, cache_misses, refills, warm_hits, warm_misses, remote_frees;
  uint64_t borrows; /* refills served by a larger class (HAKMEM_TINY_BORROW) */
};

enum hk_heap_state { HK_HEAP_NEW = 0, HK_HEAP_ACTIVE, HK_HEAP_EXITED };

/* The part of a thread's heap the fast paths never touch, outside TLS: a
 * library loaded with dlopen gets its initial-exec TLS from the little
 * glibc keeps spare (under 2 KiB), so TLS holds the caches only. Mapped at
 * a thread's first call, reused by later threads. The registry of live
 * heaps links these, not the TLS heaps: a thread that ended without its
 * exit destructor leaves TLS that may be unmapped or reused, but its cold
 * part (slab lists, counts) stays readable and can be reclaimed. */
struct hk_heap_cold {
  struct hk_class_state cls[HK_NUM_CLASSES];
  struct hk_slab *spare;      /* Pool TLS: unformatted slabs of this thread's mid chunks */
  uint32_t arena_chunks;      /* mid chunks mapped so far: drives chunk growth */
  struct hk_heap *heap;       /* the TLS heap (slab owner) it belongs to */
  struct hk_heap_cold *next, *prev; /* registry of live heaps, or the free list */
  /* Last: with stats off, the pages past the first are never touched. */
  struct hk_class_stats stats[HK_NUM_CLASSES];
};

struct hk_heap {
  struct hk_tcache cache[HK_NUM_CLASSES];
  struct hk_class_state *cls;   /* this heap's cold->cls, while active */
  struct hk_class_stats *stats; /* this heap's cold->stats, while active */
  struct hk_heap_cold *cold;
  int state;
  int exits;                  /* thread-exit destructor rounds run (init.c) */
};

extern __thread struct hk_heap hk_heap HK_TLS;

/* A thread cache as an offset from the thread pointer: the same in every
 * thread (initial-exec TLS), so a slab keeps the one of its class and free
 * reaches the cache in one load, and malloc adds one offset to its class's
 * (on x86-64, through the %fs segment; the sanitizers would check such an
 * access as a plain address: they get the thread pointer added). */
#if defined(__x86_64__) && defined(__SEG_FS) && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
typedef struct hk_tcache __seg_fs hk_tcache_tls;
static inline hk_tcache_tls *hk_tcache_at(intptr_t tp_off) { return (hk_tcache_tls *)tp_off; }
#else
typedef struct hk_tcache hk_tcache_tls;
static inline hk_tcache_tls *hk_tcache_at(intptr_t tp_off) {
  return (hk_tcache_tls *)((char *)__builtin_thread_pointer() + tp_off);
}
#endif
extern intptr_t hk_tcache_tp0; /* the offset of the cache of class 0 (hk_thread_cache_init) */
static inline intptr_t hk_tcache_tp(unsigned cls) { return hk_tcache_tp0 + cls * (intptr_t)sizeof(struct hk_tcache); }

int hk_heap_activate(struct hk_heap *h);
void hk_heap_exit(struct hk_heap *h);
void hk_heaps_lock(void);
void hk_heaps_unlock(void);
void hk_heaps_after_fork_child(struct hk_heap *self);
void hk_heaps_collect_stats(struct hk_class_stats *out);

/* --------------------------------------------------------------- thread cache */
extern uint16_t hk_refill_count[HK_NUM_CLASSES]; /* blocks per cache refill */
extern uint16_t hk_cache_cap[HK_NUM_CLASSES];    /* cache size that triggers a flush */
void hk_thread_cache_init(void);                 /* after hk_size_classes_init */
void *hk_refill_alloc(struct hk_heap *h, unsigned cls);
void hk_cache_flush(struct hk_heap *h, unsigned cls, uint32_t keep);
void hk_release_chain(struct hk_heap *h, void *list);

/* ------------------------------------------------------------- remote free */
void hk_slab_free_run(struct hk_heap *h, struct hk_slab *s, void *first, void *last, uint32_t n);
uint32_t hk_slab_drain_remote(struct hk_slab *s);
int hk_slab_detach(struct hk_slab *s, struct hk_heap *h);

/* ----------------------------------------------------------------- warm pool */
void hk_warm_add(struct hk_heap *h, struct hk_slab *s);
void hk_warm_park(struct hk_heap *h, struct hk_slab *s);
void hk_warm_slab_emptied(struct hk_heap *h, struct hk_slab *s);
struct hk_slab *hk_warm_pop(struct hk_heap *h, unsigned cls);
void hk_warm_remove(struct hk_heap *h, struct hk_slab *s);

/* --------------------------------------------------------------- shared pool */
struct hk_slab *hk_pool_acquire(struct hk_heap *h, unsigned cls);
void hk_pool_add_new_slabs(struct hk_segment *seg, unsigned first);
void hk_pool_release_empty(struct hk_slab *s);
void hk_pool_release_partial(struct hk_slab *s);
void hk_pool_release_spares(struct hk_slab *list);
/* Purge empty slabs older than delay ms (0: all); 1 if memory went back to the OS. */
int hk_pool_purge(uint32_t now, uint32_t delay);
extern _Atomic int hk_pool_purge_pending; /* hk_pool_purge has work */
void hk_pool_lock(void);
void hk_pool_unlock(void);
void hk_pool_after_fork_child(void);

/* --------------------------------------------------- mid arena (Pool TLS) */
struct hk_slab *hk_arena_take(struct hk_heap *h, unsigned cls);

/* ---------------------------------------------------------------------- large */
struct hk_large {
  struct hk_view view;        /* kind HK_KIND_LARGE, the rest 0: free's block check fails */
  uint8_t cached;             /* parked in the large cache */
  size_t map_size;
  char *user;                 /* the pointer handed out */
  struct hk_large *next;
  uint32_t cached_ms;
};
void *hk_large_alloc(size_t n, size_t align, int zero);
void hk_large_free(struct hk_large *l); /* l: a live block (the caller checked) */
/* Grow a large block to n bytes without copying; NULL when it cannot (the caller copies). */
void *hk_large_grow(struct hk_large *l, size_t n);
size_t hk_large_usable(struct hk_large *l);
/* Unmap cached mappings older than delay_ms; returns how many. */
int hk_large_purge(uint32_t now_ms, uint32_t delay_ms);
extern _Atomic int hk_large_purge_pending; /* hk_large_purge has work */
void hk_large_lock(void);
void hk_large_unlock(void);
void hk_large_after_fork_child(void);

/* ------------------------------------------------------------------ purge */
/* The purge clock (purge.c): from the slow paths, at most every quarter of
 * HAKMEM_PURGE_DELAY_MS, runs the pool's and the large cache's purges. */
void hk_purge_maybe(void);
int hk_purge_now(void); /* hak_trim: purge everything now; 1 if anything went back */

/* ------------------------------------------------------------------ options */
enum hk_option_id {
  HK_OPT_TINY_REFILL,
  HK_OPT_MID_REFILL_KB,
  HK_OPT_WARM_POOL_SIZE,
  HK_OPT_TINY_BORROW,
  HK_OPT_ARENA_MB_INIT,
  HK_OPT_ARENA_MB_MAX,
  HK_OPT_ARENA_GROWTH_LEVELS,
  HK_OPT_PURGE_DELAY_MS,
  HK_OPT_MID_MAX,
  HK_OPT_LARGE_CACHE,
  HK_OPT_VERBOSE,
  HK_OPT_STATS,
  HK_OPT_HELP,
  HK_OPT_COUNT
};
enum hk_stats_mode { HK_STATS_OFF = 0, HK_STATS_TEXT = 1, HK_STATS_JSON = 2 };
extern long hk_opt[HK_OPT_COUNT];
void hk_options_init(void);
void hk_options_print(int with_help);

/* -------------------------------------------------------------------- stats */
struct hk_global_stats {
  _Atomic uint64_t slabs_formatted, slabs_released, slabs_purged;
  _Atomic uint64_t superslabs_mapped, superslabs_released;
  _Atomic uint64_t mid_chunks_mapped, mid_chunks_released;
  _Atomic uint64_t large_allocs, large_frees, large_cache_hits, large_maps, large_unmaps;
};
extern struct hk_global_stats hk_gstats;
void hk_stats_init(void);
void hk_stats_merge(const struct hk_class_stats *from);
void hk_stats_lock(void);
void hk_stats_unlock(void);
void hk_stats_after_fork_child(void);
/* dst[i] += src[i] for i < n. */
void hk_class_stats_add(struct hk_class_stats *dst, const struct hk_class_stats *src, unsigned n);
#define HK_STATS_ON() (hk_opt[HK_OPT_STATS] != HK_STATS_OFF)
/* The room of an empty cache of cls in an active heap (see hk_tcache). */
static inline int32_t hk_cache_base(unsigned cls) { return HK_STATS_ON() ? 0 : hk_cache_cap[cls]; }
/* Blocks in the cache of cls of an active heap. */
static inline uint32_t hk_cache_count(struct hk_heap *h, unsigned cls) {
  return (uint32_t)(hk_cache_base(cls) - h->cache[cls].room);
}

/* ------------------------------------------------------------------------ os */
extern _Atomic uint64_t hk_os_bytes_mapped, hk_os_peak_bytes_mapped; /* by the functions below */
void *hk_os_map(size_t size);
void *hk_os_map_aligned(size_t size, size_t align);
void *hk_os_grow(void *p, size_t old, size_t size, size_t align);
int hk_os_move(void *src, size_t size, void *dst);
void hk_os_unmap(void *p, size_t size);
void hk_os_purge(void *p, size_t size);
uint32_t hk_os_now_ms(void);
void hk_os_write_fd(int fd, const char *s, size_t n);
HK_NORETURN void hk_os_abort(void);

/* ---------------------------------------------------------------------- text */
/* A line (or several) built in buf without allocating (text.c); what does not
 * fit is cut. hk_text_write_line adds the final newline, writes, empties. */
struct hk_text {
  char *buf;
  size_t cap, len;
};
#define HK_TEXT(array) ((struct hk_text){(array), sizeof(array), 0})
void hk_text_put(struct hk_text *t, const char *s, size_t n);
void hk_text_str(struct hk_text *t, const char *s);
void hk_text_u64(struct hk_text *t, uint64_t v);
void hk_text_col(struct hk_text *t, uint64_t v, size_t width); /* right-aligned in width columns */
void hk_text_long(struct hk_text *t, long v);
void hk_text_hex(struct hk_text *t, uintptr_t v);
void hk_text_write_line(struct hk_text *t, int fd);

/* -------------------------------------------------------------- init, locks */
extern size_t hk_fast_limit; /* malloc(n) with n < this may take the inline path */
extern _Atomic int hk_initialized;
void hk_process_init(void);
void hk_thread_key_set(struct hk_heap *h);
HK_NORETURN void hk_bad_pointer(const char *fn, const char *what, void *p);
#define hk_bad_free(what, p) hk_bad_pointer("free", (what), (p))

/* A minimal lock: allocation-free, fork handlers reset it in the child. */
typedef struct { _Atomic int v; } hk_lock_t;
#define HK_LOCK_INIT { 0 }
void hk_lock_slow(hk_lock_t *l);
static inline void hk_lock(hk_lock_t *l) {
  int expected = 0;
  if (unlikely(!atomic_compare_exchange_strong_explicit(&l->v, &expected, 1, memory_order_acquire,
                                                        memory_order_relaxed)))
    hk_lock_slow(l);
}
void hk_unlock(hk_lock_t *l);
static inline void hk_lock_reset(hk_lock_t *l) { atomic_store_explicit(&l->v, 0, memory_order_relaxed); }

/* ------------------------------------------------------------------ the API */
void *hk_malloc_slow(size_t n);
void hk_free_slow(void *p);
void hk_free_no_room(void *p);
void *hk_malloc_aligned(size_t align, size_t n);
size_t hk_usable_size(void *p);

#pragma GCC visibility pop

#endif
