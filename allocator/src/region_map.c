/* region_map.c - "is this address ours, and where is its header?" in O(1).
 *
 * One 32-bit entry per 2 MiB region of the 47-bit user address space:
 * 2^26 entries = 256 MiB of .bss, of which only the pages covering regions
 * near our mappings are ever touched. An unknown address reads a zero entry
 * (HK_KIND_NONE) without dereferencing anything it points to. */
#include "hakmem_internal.h"

_Atomic uint32_t hk_region_map[HK_REGION_ENTRIES];

static void set_range(void *base, size_t size, uint32_t value_of_header) {
  uintptr_t first = (uintptr_t)base >> HK_REGION_SHIFT;
  uintptr_t last = ((uintptr_t)base + size - 1) >> HK_REGION_SHIFT;
  for (uintptr_t r = first; r <= last; r++)
    atomic_store_explicit(&hk_region_map[r], value_of_header, memory_order_release);
}

void hk_region_set(void *base, size_t size, enum hk_region_kind kind) {
  set_range(base, size, (uint32_t)(((uintptr_t)base >> HK_REGION_SHIFT) << 2) | kind);
}

void hk_region_clear(void *base, size_t size) { set_range(base, size, 0); }
