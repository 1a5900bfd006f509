/* region_map.c - "is this address ours, and what holds it?" in O(1).
 *
 * One entry per 64 KiB of the 47-bit user address space (see
 * hk_region_entry), in two levels so that only the address space near our
 * mappings costs anything (a flat map would be 16 GiB of .bss, counted
 * against `ulimit -v`). The top level holds one pointer per 128 GiB span; a
 * span's leaf (16 MiB, of which only the pages covering units near our
 * mappings are ever touched) is mapped when the first mapping of ours lands
 * in the span. The top level is relocated data, all of it written by the
 * loader: 8 KiB resident in every process (32 KiB with 32 GiB spans), while
 * one leaf (two where our mappings straddle a span boundary) serves a
 * program. Spans without a leaf point to one shared all-zero leaf that is
 * never written, so a lookup needs no test: an unknown address reads a
 * zero entry, which leads to the map's own view "none", without
 * dereferencing anything it points to.
 * The top level stores each leaf's address less its span's first unit
 * times the entry size, so that free indexes it with the unit number as it
 * is (one mask less); the shared zero leaf gets one such value per span. */
#include "hakmem_internal.h"

static _Atomic uintptr_t zero_leaf[HK_LEAF_ENTRIES]; /* entries 0: none */

/* hk_region_map.leaves[span] for the leaf at address leaf. */
#define BIASED(leaf, span) ((uintptr_t)(leaf) - (span) * sizeof zero_leaf)
#define ZERO1(span) BIASED(zero_leaf, span),
#define ZERO2(span) ZERO1(span) ZERO1((span) + 1)
#define ZERO4(span) ZERO2(span) ZERO2((span) + 2)
#define ZERO8(span) ZERO4(span) ZERO4((span) + 4)
#define ZERO16(span) ZERO8(span) ZERO8((span) + 8)
#define ZERO32(span) ZERO16(span) ZERO16((span) + 16)
#define ZERO64(span) ZERO32(span) ZERO32((span) + 32)
#define ZERO128(span) ZERO64(span) ZERO64((span) + 64)
#define ZERO256(span) ZERO128(span) ZERO128((span) + 128)
#define ZERO512(span) ZERO256(span) ZERO256((span) + 256)
#define ZERO1024(span) ZERO512(span) ZERO512((span) + 512)
_Static_assert(HK_LEAVES == 1024, "one ZERO per span");
struct hk_region_map hk_region_map = {.leaves = {ZERO1024(0)}}; /* none: all 0, kind HK_KIND_NONE */

/* Gives span a leaf of its own if it has none; 0 if none could be mapped. */
static int leaf_ensure(uintptr_t span) {
  uintptr_t leaf = atomic_load_explicit(&hk_region_map.leaves[span], memory_order_acquire);
  if (leaf != BIASED(zero_leaf, span)) return 1;
  void *fresh = hk_os_map(sizeof zero_leaf);
  if (!fresh) return 0;
  if (!atomic_compare_exchange_strong_explicit(&hk_region_map.leaves[span], &leaf, BIASED(fresh, span),
                                               memory_order_acq_rel, memory_order_acquire))
    hk_os_unmap(fresh, sizeof zero_leaf); /* another thread's came first */
  return 1;
}

/* Stores the entries of [base, base + size) for kind; their leaves exist.
 * A segment's units lead to the slab covering them, a large block's to its
 * header. */
static void set_range(void *base, size_t size, enum hk_region_kind kind) {
  uintptr_t first = (uintptr_t)base >> HK_MAP_SHIFT;
  uintptr_t last = ((uintptr_t)base + size - 1) >> HK_MAP_SHIFT;
  struct hk_segment *seg = base;
  for (uintptr_t u = first; u <= last; u++) {
    uintptr_t value = 0;
    if (kind == HK_KIND_SLABS)
      value = hk_view_entry(&seg->slabs[((u << HK_MAP_SHIFT) - (uintptr_t)seg) >> seg->slab_shift].view);
    else if (kind == HK_KIND_LARGE) value = hk_view_entry(&((struct hk_large *)base)->view);
    atomic_store_explicit(hk_region_slot(u), value, memory_order_release);
  }
}

int hk_region_set(void *base, size_t size, enum hk_region_kind kind) {
  uintptr_t first = (uintptr_t)base >> HK_LEAF_SHIFT;
  uintptr_t last = ((uintptr_t)base + size - 1) >> HK_LEAF_SHIFT;
  for (uintptr_t span = first; span <= last; span++)
    if (!leaf_ensure(span)) return 0;
  set_range(base, size, kind);
  return 1;
}

/* The range was set before: writes only leaves of our own, never zero_leaf. */
void hk_region_clear(void *base, size_t size) { set_range(base, size, HK_KIND_NONE); }
