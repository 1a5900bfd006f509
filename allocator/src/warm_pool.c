/* warm_pool.c - per thread and class, the partly used slabs the thread owns
 * besides its current one, so that a cache miss rarely reaches the shared
 * pool. At most HAKMEM_WARM_POOL_SIZE per class; extra slabs go to the
 * shared pool's partial list where any thread can adopt them. */
#include "hakmem_internal.h"

void hk_warm_add(struct hk_heap *h, struct hk_slab *s) {
  struct hk_class_state *cs = &h->cls[s->cls];
  if (cs->warm_count >= (uint32_t)hk_opt[OPT_WARM_POOL_SIZE]) {
    hk_pool_release_partial(s);
    return;
  }
  s->where = SLAB_WARM;
  s->prev = NULL;
  s->next = cs->warm;
  if (cs->warm) cs->warm->prev = s;
  cs->warm = s;
  cs->warm_count++;
}

void hk_warm_remove(struct hk_heap *h, struct hk_slab *s) {
  struct hk_class_state *cs = &h->cls[s->cls];
  if (s->prev) s->prev->next = s->next;
  else cs->warm = s->next;
  if (s->next) s->next->prev = s->prev;
  cs->warm_count--;
}

struct hk_slab *hk_warm_pop(struct hk_heap *h, unsigned cls) {
  struct hk_slab *s = h->cls[cls].warm;
  if (HK_STATS_ON()) {
    if (s) h->stats[cls].warm_hits++;
    else h->stats[cls].warm_misses++;
  }
  if (!s) return NULL;
  hk_warm_remove(h, s);
  s->where = SLAB_CURRENT;
  return s;
}
