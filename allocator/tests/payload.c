#include "payload.h"

enum { FULL_LIMIT = 4096, EDGE = 256, PAGE = 4096 };

static uint64_t cookie(const void *p, size_t size, uint64_t serial)
{
    uint64_t x = (uintptr_t)p ^ (size * 0x9E3779B97F4A7C15ULL) ^ (serial << 17);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return x;
}

static inline uint8_t byte_at(uint64_t c, size_t i)
{
    return (uint8_t)(c >> ((i & 7) * 8)) ^ (uint8_t)(i >> 3);
}

/* Runs body for every byte index the pattern covers. */
#define FOR_PATTERN_BYTES(size, i, body)                                     \
    do {                                                                     \
        if ((size) <= FULL_LIMIT) {                                          \
            for (size_t i = 0; i < (size); i++) body;                        \
        } else {                                                             \
            for (size_t i = 0; i < EDGE; i++) body;                          \
            for (size_t i = (size) - EDGE; i < (size); i++) body;            \
            for (size_t pg = PAGE; pg + 8 <= (size) - EDGE; pg += PAGE)      \
                for (size_t i = pg; i < pg + 8; i++) body;                   \
        }                                                                    \
    } while (0)

void payload_fill(void *p, size_t size, uint64_t serial)
{
    uint8_t *b = p;
    uint64_t c = cookie(p, size, serial);
    FOR_PATTERN_BYTES(size, i, b[i] = byte_at(c, i));
}

bool payload_ok(const void *p, size_t size, uint64_t serial)
{
    const uint8_t *b = p;
    uint64_t c = cookie(p, size, serial);
    FOR_PATTERN_BYTES(size, i, if (b[i] != byte_at(c, i)) return false);
    return true;
}
