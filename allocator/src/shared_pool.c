/* shared_pool.c - the process-wide pool of slabs, under one lock:
 *   free[kind]    empty slabs, resident, newest first (reused first);
 *   purged[kind]  empty slabs whose pages went back to the OS (or never used);
 *   partial[cls]  unowned slabs with blocks in use (from exited threads and
 *                 full warm pools), adopted by any thread needing that class.
 * hk_pool_purge, driven by the purge clock (purge.c), madvises slabs empty for
 * longer than HAKMEM_PURGE_DELAY_MS (or unmaps their whole segment when every
 * slab of it is empty), never one system call per free. The slow paths
 * may not run again for a long time (a program whose further activity fits
 * in its thread caches), so resident empty slabs beyond FREE_RESIDENT_MAX
 * are purged as they come, oldest first, down to half of it. */
#include "hakmem_internal.h"

#define FREE_RESIDENT_MAX (32UL << 20)

static hk_lock_t pool_lock = HK_LOCK_INIT;
static struct hk_slab_list free_slabs[2], purged_slabs[2];
static size_t free_resident; /* bytes of the slabs on free_slabs */
static struct hk_slab_list partial[HK_NUM_CLASSES];
_Atomic int hk_pool_purge_pending;

static unsigned kind_of(struct hk_slab *s) { return hk_slab_segment(s)->slab_shift != HK_TINY_SLAB_SHIFT; }

static struct hk_slab *list_pop(struct hk_slab_list *l) {
  struct hk_slab *s = l->head;
  if (s) hk_list_remove(l, s);
  return s;
}

void hk_pool_lock(void) { hk_lock(&pool_lock); }
void hk_pool_unlock(void) { hk_unlock(&pool_lock); }
void hk_pool_after_fork_child(void) { hk_lock_reset(&pool_lock); }
static void note_pending(void) { relaxed_store(&hk_pool_purge_pending, 1); }

/* Put an empty slab on a free list (pool lock held). */
static void add_free_locked(struct hk_slab *s, enum hk_slab_where where, uint32_t now) {
  hk_slab_move(s, where, HK_OWNER_POOL);
  s->released_ms = now;
  if (where == HK_SLAB_FREE) free_resident += hk_slab_bytes(s);
  struct hk_slab_list *l = where == HK_SLAB_FREE ? &free_slabs[kind_of(s)] : &purged_slabs[kind_of(s)];
  hk_list_push_front(l, s);
  hk_slab_segment(s)->pooled_slabs++;
}

/* Take an empty slab off its free list (pool lock held). */
static void remove_free_locked(struct hk_slab *s) {
  HK_ASSERT(s->where == HK_SLAB_FREE || s->where == HK_SLAB_PURGED);
  if (s->where == HK_SLAB_FREE) free_resident -= hk_slab_bytes(s);
  struct hk_slab_list *l = s->where == HK_SLAB_FREE ? &free_slabs[kind_of(s)] : &purged_slabs[kind_of(s)];
  hk_list_remove(l, s);
  hk_slab_segment(s)->pooled_slabs--;
}

static int purge_locked(uint32_t now, uint32_t delay, size_t keep_resident);

struct hk_slab *hk_pool_acquire(struct hk_heap *h, unsigned cls) {
  unsigned kind = hk_class_is_mid(cls);
  hk_lock(&pool_lock);
  struct hk_slab *s = list_pop(&partial[cls]);
  if (s) {
    hk_slab_move(s, HK_SLAB_CURRENT, h);
    hk_unlock(&pool_lock);
    hk_slab_drain_remote(s);
    return s;
  }
  s = free_slabs[kind].head ? free_slabs[kind].head : purged_slabs[kind].head;
  if (s) remove_free_locked(s);
  hk_unlock(&pool_lock);
  if (s) {
    hk_slab_format(s, cls, h);
    return s;
  }
  if (kind) return hk_arena_take(h, cls);
  struct hk_segment *seg = hk_segment_map(HK_REGION_SIZE, HK_TINY_SLAB_SHIFT);
  if (!seg) return NULL;
  hk_pool_add_new_slabs(seg, 1);
  hk_slab_format(&seg->slabs[0], cls, h);
  return &seg->slabs[0];
}

/* Slabs first.. of a new segment join the pool as never touched. */
void hk_pool_add_new_slabs(struct hk_segment *seg, unsigned first) {
  uint32_t now = hk_os_now_ms();
  hk_lock(&pool_lock);
  for (unsigned i = seg->nslabs; i-- > first;) add_free_locked(&seg->slabs[i], HK_SLAB_PURGED, now);
  hk_unlock(&pool_lock);
}

void hk_pool_release_empty(struct hk_slab *s) {
  hk_slab_reset(s);
  uint32_t now = hk_os_now_ms();
  hk_lock(&pool_lock);
  add_free_locked(s, HK_SLAB_FREE, now);
  if (free_resident > FREE_RESIDENT_MAX)
    purge_locked(now, (uint32_t)hk_opt[HK_OPT_PURGE_DELAY_MS], FREE_RESIDENT_MAX / 2);
  hk_unlock(&pool_lock);
  note_pending();
  atomic_fetch_add_explicit(&hk_gstats.slabs_released, 1, memory_order_relaxed);
}

void hk_pool_release_partial(struct hk_slab *s) {
  hk_lock(&pool_lock);
  hk_slab_move(s, HK_SLAB_PARTIAL, HK_OWNER_POOL);
  hk_list_push_front(&partial[s->cls], s);
  hk_unlock(&pool_lock);
  note_pending();
}

/* Unformatted mid slabs of an exiting thread's arena (linked by next). */
void hk_pool_release_spares(struct hk_slab *list) {
  uint32_t now = hk_os_now_ms();
  hk_lock(&pool_lock);
  while (list) {
    struct hk_slab *next = list->next;
    add_free_locked(list, HK_SLAB_PURGED, now);
    list = next;
  }
  hk_unlock(&pool_lock);
  note_pending();
}

static void unmap_segment_locked(struct hk_segment *seg) {
  for (unsigned i = 0; i < seg->nslabs; i++) remove_free_locked(&seg->slabs[i]);
  hk_segment_unmap(seg);
}

/* Purges the empty slabs older than delay, and the oldest ones while more
 * than keep_resident bytes stay resident. Returns 1 if memory went back to
 * the OS. delay 0 purges everything. */
static int purge_locked(uint32_t now, uint32_t delay, size_t keep_resident) {
  int released = 0, pending = 0;
  /* partial slabs whose blocks all came back through remote frees */
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    struct hk_slab *s = partial[cls].head;
    while (s) {
      struct hk_slab *next = s->next;
      hk_slab_drain_remote(s);
      if (s->free_count == relaxed_load(&s->carved)) {
        hk_list_remove(&partial[cls], s);
        hk_slab_reset(s);
        add_free_locked(s, HK_SLAB_FREE, now);
        atomic_fetch_add_explicit(&hk_gstats.slabs_released, 1, memory_order_relaxed);
      } else {
        pending = 1;
      }
      s = next;
    }
  }
  for (unsigned kind = 0; kind < 2; kind++) {
    struct hk_slab *s = free_slabs[kind].tail;
    while (s && (now - s->released_ms >= delay || free_resident > keep_resident)) {
      struct hk_slab *prev = s->prev;
      struct hk_segment *seg = hk_slab_segment(s);
      released = 1;
      if (seg->pooled_slabs == seg->nslabs) {
        unmap_segment_locked(seg);
        s = free_slabs[kind].tail; /* the walk's neighbours may have gone with it */
        continue;
      }
      remove_free_locked(s);
      size_t header = s->index == 0 ? HK_SEG_HEADER_SIZE : 0; /* slab 0 holds the header */
      hk_os_purge(hk_slab_base(s) + header, hk_slab_bytes(s) - header);
      atomic_fetch_add_explicit(&hk_gstats.slabs_purged, 1, memory_order_relaxed);
      add_free_locked(s, HK_SLAB_PURGED, s->released_ms);
      s = prev;
    }
    if (free_slabs[kind].head) pending = 1;
  }
  if (!pending) relaxed_store(&hk_pool_purge_pending, 0);
  return released;
}

/* delay 0 purges every empty slab, so there is no resident floor to keep. */
int hk_pool_purge(uint32_t now, uint32_t delay) {
  hk_lock(&pool_lock);
  int released = purge_locked(now, delay, delay ? FREE_RESIDENT_MAX : 0);
  hk_unlock(&pool_lock);
  return released;
}
