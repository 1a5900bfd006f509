/* warm_pool.c - per thread and class, the slabs the thread owns besides its
 * current one: partly used slabs first (a cache miss refills from them
 * before going to the shared pool), then up to HAKMEM_WARM_POOL_SIZE empty
 * ones kept formatted for the class, so that a working set moving back and
 * forth over a slab boundary does not take and give back slabs to the
 * shared pool each time. Further emptied slabs go back to the shared pool. */
#include "hakmem_internal.h"

void hk_warm_remove(struct hk_heap *h, struct hk_slab *s) {
  struct hk_class_state *cs = &h->cls[s->cls];
  HK_ASSERT(s->where == HK_SLAB_WARM && relaxed_load(&s->owner) == h);
  hk_list_remove(&cs->warm, s);
}

/* A partly used slab the thread now owns (claimed). */
void hk_warm_add(struct hk_heap *h, struct hk_slab *s) {
  struct hk_class_state *cs = &h->cls[s->cls];
  hk_slab_move(s, HK_SLAB_WARM, h);
  hk_list_push_front(&cs->warm, s);
}

/* The thread's current slab, out of free blocks but not of uncarved
 * space, waits behind the slabs that have free blocks. */
void hk_warm_park(struct hk_heap *h, struct hk_slab *s) {
  struct hk_class_state *cs = &h->cls[s->cls];
  hk_slab_move(s, HK_SLAB_WARM, h);
  hk_list_push_back(&cs->warm, s);
}

/* A warm slab's last block came back: keep it at the tail, or give it back. */
void hk_warm_slab_emptied(struct hk_heap *h, struct hk_slab *s) {
  struct hk_class_state *cs = &h->cls[s->cls];
  hk_warm_remove(h, s);
  if (cs->warm_empty >= (uint32_t)hk_opt[HK_OPT_WARM_POOL_SIZE]) {
    hk_pool_release_empty(s);
    return;
  }
  hk_list_push_back(&cs->warm, s);
  cs->warm_empty++;
}

struct hk_slab *hk_warm_pop(struct hk_heap *h, unsigned cls) {
  struct hk_slab *s = h->cls[cls].warm.head;
  if (HK_STATS_ON()) {
    if (s) h->stats[cls].warm_hits++;
    else h->stats[cls].warm_misses++;
  }
  if (!s) return NULL;
  hk_warm_remove(h, s);
  if (s->free_count == relaxed_load(&s->carved)) h->cls[cls].warm_empty--;
  hk_slab_move(s, HK_SLAB_CURRENT, h);
  return s;
}
