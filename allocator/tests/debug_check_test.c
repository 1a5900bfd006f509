/* For the HAKMEM_DEBUG build of libhakmem: a use-after-free write that
 * breaks the links of a thread cache must stop the program at the cache's
 * next flush with "hakmem: assertion failed: ...", where a release build
 * follows the bogus link. Reaching the end means the checks are not there. */
#include <stdio.h>

#include "alloc_api.h"

/* More than a tiny class's cache holds (128 blocks), so that it flushes. */
#define BLOCKS 300

int main(void)
{
    static void *blocks[BLOCKS];
    void *bogus[2] = { NULL, NULL }; /* not a heap block */
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = API(malloc)(32);
    API(free)(blocks[0]);
    *(void **)OPAQUE(blocks[0]) = bogus; /* use after free */
    for (int i = 1; i < BLOCKS; i++)
        API(free)(blocks[i]);
    printf("survived: the broken link went unnoticed\n");
    return 0;
}
