#include "handoff_queue.h"

void handoff_init(handoff_queue_t *q)
{
    pthread_mutex_init(&q->lock, NULL);
    q->head = q->count = 0;
}

bool handoff_push(handoff_queue_t *q, block_t b)
{
    pthread_mutex_lock(&q->lock);
    bool ok = q->count < HANDOFF_CAP;
    if (ok)
        q->items[(q->head + q->count++) % HANDOFF_CAP] = b;
    pthread_mutex_unlock(&q->lock);
    return ok;
}

size_t handoff_pop(handoff_queue_t *q, block_t *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&q->lock);
    while (q->count > 0 && n < max) {
        out[n++] = q->items[q->head];
        q->head = (q->head + 1) % HANDOFF_CAP;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}
