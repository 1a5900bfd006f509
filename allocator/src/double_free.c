/* double_free.c - confirming a double free that the mark (hk_free_mark)
 * suggests. A marked block is free if it is in this thread's cache or on
 * the lists of a slab this thread owns: both are walked here, off the fast
 * path (a correct program reaches this only if it stored the segment's
 * address in a block's second word). A block freed twice by two threads, the
 * first free still sitting in the other thread's cache or in a slab it owns,
 * is not seen: those lists may change under us (glibc's tcache check has the
 * same limit). */
#include "hakmem_internal.h"

/* 1 if p is on the list starting at head, looking at most n links. */
static int on_list(void *head, void *p, uint32_t n) {
  for (; head && n; head = *(void **)head, n--)
    if (head == p) return 1;
  return 0;
}

void hk_check_double_free(struct hk_heap *h, struct hk_slab *s, void *p) {
  /* Its own class's cache, and those of the classes that borrow from it. */
  unsigned first = s->cls, borrowers = (unsigned)hk_opt[HK_OPT_TINY_BORROW];
  if (!hk_class_is_mid(s->cls)) first = s->cls > borrowers ? s->cls - borrowers : 0;
  int found = 0;
  for (unsigned cls = first; cls <= s->cls && !found; cls++)
    found = on_list(h->cache[cls].head, p, hk_cache_count(h, cls));
  if (!found && h->state == HK_HEAP_ACTIVE && relaxed_load(&s->owner) == h) {
    /* Only the owner takes the remote list, so its links stay put while we walk. */
    void *remote = (void *)atomic_load_explicit(&s->remote, memory_order_acquire);
    found = on_list(s->free, p, s->free_count) || on_list(remote, p, relaxed_load(&s->carved));
  }
  if (found) hk_bad_free("double free", p);
}
