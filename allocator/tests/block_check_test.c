/* The block-start check of free's fast path (hk_view_has_block, with the
 * magic of hk_block_magic), against plain division: for every class size,
 * in a tiny (64 KiB) and a mid (256 KiB) slab at the start of a segment and
 * further in, every byte offset of the slab and the header page before it,
 * with nothing, one block, half and all of the slab carved, the check must
 * pass exactly the starts of carved blocks. Exits 1 at the first mismatch.
 * Built with allocator/src on the include path and size_class.c linked. */
#include <stdio.h>

#include "hakmem_internal.h"

static int check_slab(uintptr_t seg, uint32_t slab_off, uint32_t slab_bytes, uint32_t size) {
  uint32_t start = slab_off == 0 ? HK_SEG_HEADER_SIZE : slab_off;
  uint32_t align = size & -size;
  if (align > slab_bytes) align = slab_bytes;
  start = (start + align - 1) & ~(align - 1);
  uint32_t capacity = (slab_off + slab_bytes - start) / size;
  uint32_t carved_counts[] = {0, 1, capacity / 2, capacity};
  struct hk_slab s = {0};
  s.size = size;
  s.view.magic = hk_block_magic(size);
  s.view.first_lo = (uint32_t)(seg + start);
  for (unsigned k = 0; k < sizeof carved_counts / sizeof carved_counts[0]; k++) {
    uint32_t carved = carved_counts[k];
    hk_slab_set_carved(&s, carved);
    uint32_t from = slab_off == 0 ? 0 : slab_off - HK_PAGE;
    for (uint32_t off = from; off < slab_off + slab_bytes; off++) {
      int want = off >= start && (off - start) % size == 0 && (off - start) / size < carved;
      if (hk_view_has_block(&s.view, seg + off) != want) {
        printf("size %u, slab at %u, carved %u: offset %u %s\n", size, slab_off, carved, off,
               want ? "rejected" : "accepted");
        return 0;
      }
    }
  }
  return 1;
}

int main(void) {
  uintptr_t seg = (uintptr_t)0x7f1234600000; /* 2 MiB-aligned, above 2^32 */
  unsigned slabs = 0;
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
    uint32_t size = hk_class_size[cls];
    if (!check_slab(seg, 0, 1u << HK_MID_SLAB_SHIFT, size) ||
        !check_slab(seg, 3u << HK_MID_SLAB_SHIFT, 1u << HK_MID_SLAB_SHIFT, size))
      return 1;
    slabs += 2;
    if (hk_class_is_mid(cls)) continue;
    if (!check_slab(seg, 0, 1u << HK_TINY_SLAB_SHIFT, size) ||
        !check_slab(seg, 31u << HK_TINY_SLAB_SHIFT, 1u << HK_TINY_SLAB_SHIFT, size))
      return 1;
    slabs += 2;
  }
  printf("%u slabs: every offset checked\n", slabs);
  return 0;
}
