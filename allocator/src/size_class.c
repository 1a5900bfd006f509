/* size_class.c - the size classes and the size -> class table.
 * Tiny: 16..1024 B in steps that waste at most 25% (16-B steps up to 128,
 * then 4 classes per power of two). Mid: 4 classes per power of two from
 * 1280 B to 64 KiB. Every class is a multiple of 16, so every block is
 * 16-byte aligned; a class that is a power of two gives blocks aligned to
 * their size (slab starts are aligned to the lowest set bit of the size). */
#include "hakmem_internal.h"

uint32_t hk_class_size[HK_NUM_CLASSES] = {
    16,    32,    48,    64,    80,    96,    112,   128,   160,   192,   224,
    256,   320,   384,   448,   512,   640,   768,   896,   1024,  /* tiny */
    1280,  1536,  1792,  2048,  2560,  3072,  3584,  4096,  5120,  6144,  7168,
    8192,  10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768, 40960, 49152,
    57344, 65536, /* mid */
};
uint8_t hk_class_of[HK_MID_LIMIT / 16 + 1];

void hk_size_classes_init(void) {
  unsigned cls = 0;
  for (unsigned i = 0; i <= HK_MID_LIMIT / 16; i++) {
    while (hk_class_size[cls] < i * 16) cls++;
    hk_class_of[i] = (uint8_t)cls;
  }
}
