/* A buffer grown a little at a time, the way programs read input of unknown
 * length: realloc must not copy the whole buffer on every page it grows, or
 * the run takes quadratic time (minutes for tens of MiB instead of
 * milliseconds; run.sh's time limit catches that). Three buffers grow in
 * turn with large blocks allocated between them, so the allocator meets
 * both free and occupied address space after a buffer. Every byte is
 * checked at the end: growth that moves a buffer must keep its contents. */
#include <stdio.h>
#include <string.h>

#include "alloc_api.h"
#include "test_util.h"

enum { BUFS = 3, SPACERS = 64 };

static unsigned char byte_at(int b, size_t i) { return (unsigned char)(i * 131 + (i >> 12) + b * 7); }

int main(int argc, char **argv)
{
    static const char usage[] = "usage: realloc_grow_test [-m megabytes per buffer]\n";
    size_t max = (size_t)parse_only_option(argc, argv, 'm', 32, usage) << 20;
    const size_t step = 64;
    unsigned char *buf[BUFS] = {0};
    size_t len = 0;
    void *spacer[SPACERS] = {0};
    int spacers = 0;
    double t0 = now_ms();
    while (len < max) {
        for (int b = 0; b < BUFS; b++) {
            unsigned char *p = API(realloc)(buf[b], len + step);
            if (!p) {
                fprintf(stderr, "realloc(%zu) failed\n", len + step);
                return 1;
            }
            for (size_t i = len; i < len + step; i++) p[i] = byte_at(b, i);
            buf[b] = p;
        }
        len += step;
        if (len % (1 << 20) == 0 && spacers < SPACERS) /* occupy address space near the buffers */
            spacer[spacers++] = API(malloc)(256 << 10);
    }
    for (int b = 0; b < BUFS; b++) {
        CHECK(API(malloc_usable_size)(buf[b]) >= len, "buffer %d: usable size below %zu", b, len);
        for (size_t i = 0; i < len; i++)
            if (buf[b][i] != byte_at(b, i)) {
                CHECK(0, "buffer %d: byte %zu is %u, wrote %u", b, i, buf[b][i], byte_at(b, i));
                break;
            }
        API(free)(buf[b]);
    }
    for (int i = 0; i < spacers; i++)
        API(free)(spacer[i]);
    printf("realloc_grow_test: %d buffers grown to %zu MiB by %zu B in %.0f ms, %lu failures\n", BUFS, max >> 20,
           step, now_ms() - t0, test_failures);
    return test_failures ? 1 : 0;
}
