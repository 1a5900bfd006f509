/* Per-block payload patterns: a block is filled with bytes derived from a
 * cookie of (address, size, serial) and checked before it is freed, so a
 * block handed out twice, overlapping another, or corrupted by the
 * allocator's own metadata is caught. Large blocks are sampled (head, tail
 * and one word per 4 KiB page) to keep the tests fast. */
#ifndef PAYLOAD_H
#define PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void payload_fill(void *p, size_t size, uint64_t serial);

/* True when the block still holds the pattern payload_fill wrote. */
bool payload_ok(const void *p, size_t size, uint64_t serial);

#endif
