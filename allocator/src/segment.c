/* segment.c - segments (SuperSlabs and mid arena chunks) and slab formatting.
 * A segment is a 2 MiB-aligned mapping; its first page is the header with
 * the slab descriptors. Slab i covers [i << slab_shift, (i + 1) << slab_shift)
 * from the segment start; slab 0 begins after the header. */
#include "hakmem_internal.h"

struct hk_segment *hk_segment_map(size_t size, unsigned slab_shift) {
  struct hk_segment *seg = hk_os_map_aligned(size, HK_REGION_SIZE);
  if (!seg) return NULL;
  seg->slab_shift = (uint8_t)slab_shift;
  seg->nslabs = (uint16_t)(size >> slab_shift);
  seg->size = size;
  for (unsigned i = 0; i < HK_SEG_MAX_SLABS; i++) {
    struct hk_slab *s = &seg->slabs[i];
    s->view.kind = HK_KIND_SLABS;
    s->index = (uint8_t)i;
    s->cls = HK_CLASS_NONE;
    s->where = i < seg->nslabs ? HK_SLAB_SPARE : HK_SLAB_UNUSED;
  }
  if (!hk_region_set(seg, size, HK_KIND_SLABS)) {
    hk_os_unmap(seg, size);
    return NULL;
  }
  if (slab_shift == HK_TINY_SLAB_SHIFT) atomic_fetch_add_explicit(&hk_gstats.superslabs_mapped, 1, memory_order_relaxed);
  else atomic_fetch_add_explicit(&hk_gstats.mid_chunks_mapped, 1, memory_order_relaxed);
  return seg;
}

void hk_segment_unmap(struct hk_segment *seg) {
  if (seg->slab_shift == HK_TINY_SLAB_SHIFT)
    atomic_fetch_add_explicit(&hk_gstats.superslabs_released, 1, memory_order_relaxed);
  else atomic_fetch_add_explicit(&hk_gstats.mid_chunks_released, 1, memory_order_relaxed);
  hk_region_clear(seg, seg->size);
  hk_os_unmap(seg, seg->size);
}

/* Slab i's first block is staggered by (i mod 8) cache lines (or alignments,
 * for classes aligned to more): slabs are 64 KiB-aligned, so otherwise the
 * first blocks of every slab, where each class's hot blocks lie, share one
 * L1 set (tiny_hot: 0.181 -> 0.016 D1 misses per malloc). At most 1/64 of
 * the slab is given up for it. */
static size_t first_block_stagger(struct hk_slab *s, size_t align, size_t slab_bytes) {
  size_t stagger = (s->index & 7) * (align > 64 ? align : 64);
  return stagger <= slab_bytes / 64 ? stagger : 0;
}

void hk_slab_format(struct hk_slab *s, unsigned cls, struct hk_heap *owner) {
  struct hk_segment *seg = hk_slab_segment(s);
  uint32_t size = hk_class_size[cls];
  size_t slab_bytes = (size_t)1 << seg->slab_shift;
  size_t base = (size_t)s->index << seg->slab_shift;
  size_t align = size & -size; /* power-of-two classes get blocks aligned to their size */
  if (align > slab_bytes) align = slab_bytes;
  size_t start = base + (s->index == 0 ? HK_SEG_HEADER_SIZE : 0);
  start = ((start + align - 1) & ~(align - 1)) + first_block_stagger(s, align, slab_bytes);
  s->view.first_lo = (uint32_t)((uintptr_t)seg + start);
  s->size = size;
  s->view.magic = hk_block_magic(size);
  s->capacity = (uint32_t)((base + slab_bytes - start) / size);
  hk_slab_set_carved(s, 0);
  s->free = NULL;
  s->free_count = 0;
  s->cls = (uint8_t)cls;
  s->view.cache_tp = hk_tcache_tp(cls);
  atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
  hk_slab_move(s, HK_SLAB_CURRENT, owner);
  atomic_fetch_add_explicit(&hk_gstats.slabs_formatted, 1, memory_order_relaxed);
}

/* Back to "holds no class": every check of hk_view_has_block fails on it. The
 * caller puts it on a free list of the shared pool, which makes the pool its owner. */
void hk_slab_reset(struct hk_slab *s) {
  HK_ASSERT(s->free_count == relaxed_load(&s->carved) && relaxed_load(&s->remote) == 0); /* empty */
  s->size = 0;
  s->view.magic = 0;
  s->view.first_lo = 0;
  s->capacity = 0;
  hk_slab_set_carved(s, 0);
  s->free = NULL;
  s->free_count = 0;
  s->cls = HK_CLASS_NONE;
  atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
}
