/* mid_arena.c - the mid tier's per-thread arena ("Pool TLS"): a thread maps
 * its own mid segments, growing HAKMEM_POOL_TLS_ARENA_MB_INIT, x2, x4, ...
 * over HAKMEM_POOL_TLS_ARENA_GROWTH_LEVELS sizes, capped at
 * HAKMEM_POOL_TLS_ARENA_MB_MAX, and formats their 256 KiB slabs on demand.
 * The per-class free lists are the thread cache and the slabs' own lists;
 * emptied slabs return to the shared pool like tiny ones. */
#include "hakmem_internal.h"

struct hk_slab *hk_arena_take(struct hk_heap *h, unsigned cls) {
  if (!h->cold->spare) {
    uint32_t level = h->cold->arena_chunks;
    uint32_t last_level = (uint32_t)hk_opt[HK_OPT_ARENA_GROWTH_LEVELS] - 1;
    if (level > last_level) level = last_level;
    size_t mb = (size_t)hk_opt[HK_OPT_ARENA_MB_INIT] << level;
    if (mb > (size_t)hk_opt[HK_OPT_ARENA_MB_MAX]) mb = (size_t)hk_opt[HK_OPT_ARENA_MB_MAX];
    struct hk_segment *seg = hk_segment_map(mb << 20, HK_MID_SLAB_SHIFT);
    if (!seg) return NULL;
    h->cold->arena_chunks++;
    for (unsigned i = seg->nslabs; i-- > 0;) {
      seg->slabs[i].next = h->cold->spare;
      h->cold->spare = &seg->slabs[i];
    }
  }
  struct hk_slab *s = h->cold->spare;
  h->cold->spare = s->next;
  hk_slab_format(s, cls, h);
  return s;
}
