/* Lock-protected fixed-size queue of blocks passed from the thread that
 * allocated them to another thread that frees them (cross-thread frees).
 * It never allocates, so it does not disturb the allocator under test. */
#ifndef HANDOFF_QUEUE_H
#define HANDOFF_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HANDOFF_CAP = 4096 };

typedef struct {
    void *p;
    size_t size;
    uint64_t serial; /* seeds the payload pattern */
} block_t;

typedef struct {
    pthread_mutex_t lock;
    size_t head, count;
    block_t items[HANDOFF_CAP];
} handoff_queue_t;

void handoff_init(handoff_queue_t *q);

/* False when the queue is full; the caller keeps the block. */
bool handoff_push(handoff_queue_t *q, block_t b);

/* Takes up to max blocks; returns how many. */
size_t handoff_pop(handoff_queue_t *q, block_t *out, size_t max);

#endif
