/* remote_free.c - giving blocks back to their slab, from any thread.
 *
 * Only a slab's owner touches its local free list. Any other thread pushes
 * onto the slab's lock-free remote list (one CAS for a whole run of blocks);
 * the owner takes the list with one atomic exchange when it refills.
 * A slab whose owner ran out of blocks is detached: the remote word carries
 * HK_REMOTE_DETACHED, and the first thread that frees into it claims it with
 * the same CAS, so a slab is never left without an owner that can notice
 * it became empty, and ownership and remote frees never race. */
#include "hakmem_internal.h"

/* Append a chain of blocks to the local free list; returns its length. */
static uint32_t splice_list(struct hk_slab *s, void *list) {
  if (!list) return 0;
  uint32_t n = 1;
  void *last = list;
  while (*(void **)last) {
    last = *(void **)last;
    n++;
  }
  HK_ASSERT(hk_debug_walk(s, list, n) == NULL);
  *(void **)last = s->free;
  s->free = list;
  s->free_count += n;
  HK_ASSERT(hk_slab_counts_ok(s));
  return n;
}

uint32_t hk_slab_drain_remote(struct hk_slab *s) {
  if (relaxed_load(&s->remote) == 0) return 0;
  void *list = (void *)atomic_exchange_explicit(&s->remote, 0, memory_order_acquire);
  return splice_list(s, list);
}

static void local_free_run(struct hk_heap *h, struct hk_slab *s, void *first, void *last, uint32_t n) {
  HK_ASSERT(s->where == HK_SLAB_CURRENT || s->where == HK_SLAB_WARM);
  if (unlikely(s->free_count + n > relaxed_load(&s->carved))) hk_bad_free("double free", first);
  *(void **)last = s->free;
  s->free = first;
  s->free_count += n;
  if (s->free_count == relaxed_load(&s->carved) && s->where == HK_SLAB_WARM) hk_warm_slab_emptied(h, s);
}

/* h (NULL for a thread that can no longer own slabs) won the CAS that
 * cleared HK_REMOTE_DETACHED. A thread that allocates from this class keeps
 * the slab in its warm pool; any other thread hands it to the shared pool,
 * where a thread that allocates adopts it. A thread that only frees must not
 * keep it: nobody would drain the remote frees that keep arriving on it
 * (leak_cycles_test's RSS grew without bound). */
static void claim(struct hk_heap *h, struct hk_slab *s, void *remote_list, void *first, void *last, uint32_t n) {
  splice_list(s, remote_list);
  if (unlikely(s->free_count + n > relaxed_load(&s->carved))) hk_bad_free("double free", first);
  *(void **)last = s->free;
  s->free = first;
  s->free_count += n;
  if (s->free_count == relaxed_load(&s->carved)) {
    hk_pool_release_empty(s);
  } else if (h && h->cls[s->cls].current) {
    hk_warm_add(h, s);
  } else {
    hk_pool_release_partial(s);
  }
}

int hk_slab_detach(struct hk_slab *s, struct hk_heap *h) {
  hk_slab_move(s, HK_SLAB_DETACHED, NULL);
  uintptr_t expected = 0;
  if (atomic_compare_exchange_strong_explicit(&s->remote, &expected, HK_REMOTE_DETACHED, memory_order_release,
                                              memory_order_relaxed))
    return 1;
  hk_slab_move(s, HK_SLAB_CURRENT, h); /* blocks came back meanwhile: keep it */
  return 0;
}

/* Give the n blocks first..last (linked) back to slab s. h is the calling
 * thread's heap, or NULL for a thread that can no longer own slabs. */
void hk_slab_free_run(struct hk_heap *h, struct hk_slab *s, void *first, void *last, uint32_t n) {
  /* n blocks of s from first to last */
  HK_ASSERT(n > 0 && hk_debug_walk(s, first, n - 1) == last && hk_debug_walk(s, last, 1) == *(void **)last);
  if (h && relaxed_load(&s->owner) == h) {
    local_free_run(h, s, first, last, n);
    return;
  }
  uintptr_t old = relaxed_load(&s->remote);
  for (;;) {
    if (old & HK_REMOTE_DETACHED) {
      if (atomic_compare_exchange_weak_explicit(&s->remote, &old, 0, memory_order_acquire, memory_order_relaxed)) {
        claim(h, s, (void *)(old & ~HK_REMOTE_DETACHED), first, last, n);
        return;
      }
      continue;
    }
    *(void **)last = (void *)old;
    if (atomic_compare_exchange_weak_explicit(&s->remote, &old, (uintptr_t)first, memory_order_release,
                                              memory_order_relaxed))
      return;
  }
}
