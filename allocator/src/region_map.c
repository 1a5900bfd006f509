/* region_map.c - "is this address ours, and where is its header?" in O(1).
 *
 * One 32-bit entry per 2 MiB region of the 47-bit user address space, in two
 * levels so that only the address space near our mappings costs anything (a
 * flat map, 256 MiB of .bss, counted against `ulimit -v` and kept programs
 * under a small limit from starting). The top level holds one pointer per
 * 128 GiB span; a span's leaf (256 KiB, of which only the pages covering
 * regions near our mappings are ever touched) is mapped when the first
 * mapping of ours lands in the span. Spans without a leaf point to one
 * shared all-zero leaf that is never written, so a lookup needs no test: an
 * unknown address reads a zero entry (HK_KIND_NONE) without dereferencing
 * anything it points to. */
#include "hakmem_internal.h"

static _Atomic uint32_t zero_leaf[HK_LEAF_ENTRIES];
_Atomic(_Atomic uint32_t *) hk_region_leaves[HK_LEAVES] = {[0 ... HK_LEAVES - 1] = zero_leaf};

/* Gives span a leaf of its own if it has none; 0 if none could be mapped. */
static int leaf_ensure(uintptr_t span) {
  _Atomic uint32_t *leaf = atomic_load_explicit(&hk_region_leaves[span], memory_order_acquire);
  if (leaf != zero_leaf) return 1;
  _Atomic uint32_t *fresh = hk_os_map(sizeof zero_leaf);
  if (!fresh) return 0;
  if (!atomic_compare_exchange_strong_explicit(&hk_region_leaves[span], &leaf, fresh, memory_order_acq_rel,
                                               memory_order_acquire))
    hk_os_unmap(fresh, sizeof zero_leaf); /* another thread's came first */
  return 1;
}

/* Stores value in the entries of [base, base + size); their leaves exist. */
static void set_range(void *base, size_t size, uint32_t value) {
  uintptr_t first = (uintptr_t)base >> HK_REGION_SHIFT;
  uintptr_t last = ((uintptr_t)base + size - 1) >> HK_REGION_SHIFT;
  for (uintptr_t r = first; r <= last; r++) {
    _Atomic uint32_t *leaf = relaxed_load(&hk_region_leaves[r >> HK_LEAF_BITS]);
    atomic_store_explicit(&leaf[r & (HK_LEAF_ENTRIES - 1)], value, memory_order_release);
  }
}

int hk_region_set(void *base, size_t size, enum hk_region_kind kind) {
  uintptr_t first = (uintptr_t)base >> HK_LEAF_SHIFT;
  uintptr_t last = ((uintptr_t)base + size - 1) >> HK_LEAF_SHIFT;
  for (uintptr_t span = first; span <= last; span++)
    if (!leaf_ensure(span)) return 0;
  set_range(base, size, (uint32_t)(((uintptr_t)base >> HK_REGION_SHIFT) << 2) | kind);
  return 1;
}

/* The range was set before: writes only leaves of our own, never zero_leaf. */
void hk_region_clear(void *base, size_t size) { set_range(base, size, 0); }
