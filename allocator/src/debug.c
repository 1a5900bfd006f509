/* debug.c - the checks of a HAKMEM_DEBUG build (see HK_ASSERT); a release
 * build compiles this file to nothing. */
#include "hakmem_internal.h"

#ifdef HAKMEM_DEBUG

/* Writes one line to stderr: the strings of parts, a NULL part standing
 * for the next number of nums (printed in hex when hex is set). */
static void report(const char *const *parts, unsigned nparts, const uint64_t *nums, int hex) {
  char buf[256];
  struct hk_text t = HK_TEXT(buf);
  for (unsigned i = 0; i < nparts; i++) {
    if (parts[i]) hk_text_str(&t, parts[i]);
    else if (hex) hk_text_hex(&t, (uintptr_t)*nums++);
    else hk_text_u64(&t, *nums++);
  }
  hk_text_write_line(&t, 2);
}

void hk_assert_fail(const char *file, int line, const char *cond) {
  const char *parts[] = {"hakmem: assertion failed: ", file, ":", NULL, ": ", cond};
  uint64_t nums[] = {(uint64_t)line};
  report(parts, sizeof parts / sizeof parts[0], nums, 0);
  hk_os_abort();
}

#define TO(w) (1u << (w))
/* The moves the code makes, by state left: what each may become. */
static const unsigned moves_from[] = {
    [HK_SLAB_UNUSED] = 0,
    [HK_SLAB_SPARE] = TO(HK_SLAB_CURRENT) | TO(HK_SLAB_PURGED),   /* formatted by its arena; pooled at thread exit */
    [HK_SLAB_FREE] = TO(HK_SLAB_CURRENT) | TO(HK_SLAB_PURGED),    /* formatted by a thread; purged */
    [HK_SLAB_PURGED] = TO(HK_SLAB_CURRENT),
    [HK_SLAB_CURRENT] = TO(HK_SLAB_DETACHED) | TO(HK_SLAB_WARM) | TO(HK_SLAB_FREE) | TO(HK_SLAB_PARTIAL), /* used up; parked; thread exit */
    [HK_SLAB_WARM] = TO(HK_SLAB_CURRENT) | TO(HK_SLAB_FREE) | TO(HK_SLAB_PARTIAL),
    [HK_SLAB_PARTIAL] = TO(HK_SLAB_CURRENT) | TO(HK_SLAB_FREE),   /* adopted; its blocks all came back */
    [HK_SLAB_DETACHED] = TO(HK_SLAB_CURRENT) | TO(HK_SLAB_WARM) | TO(HK_SLAB_FREE) | TO(HK_SLAB_PARTIAL), /* claimed */
};

static int is_heap(struct hk_heap *owner) { return owner != NULL && owner != HK_OWNER_POOL; }

static int move_ok(struct hk_slab *s, enum hk_slab_where to, struct hk_heap *owner) {
  uint32_t carved = relaxed_load(&s->carved);
  if (s->where > HK_SLAB_DETACHED || !(moves_from[s->where] & TO(to)) || !hk_slab_counts_ok(s)) return 0;
  switch (to) {
  case HK_SLAB_CURRENT:
    /* a slab leaving the pool empty was just formatted */
    if (s->where != HK_SLAB_WARM && s->where != HK_SLAB_PARTIAL && s->where != HK_SLAB_DETACHED &&
        (carved != 0 || s->free_count != 0 || relaxed_load(&s->remote) != 0))
      return 0;
    return is_heap(owner) && (s->where != HK_SLAB_WARM || owner == relaxed_load(&s->owner));
  case HK_SLAB_WARM:
    return is_heap(owner) && s->free_count < carved;
  case HK_SLAB_DETACHED: /* used up: nothing left to hand out */
    return owner == NULL && s->free_count == 0 && carved == s->capacity;
  case HK_SLAB_PARTIAL: /* blocks still in use */
    return owner == HK_OWNER_POOL && s->free_count < carved;
  case HK_SLAB_FREE:
  case HK_SLAB_PURGED: /* holds no class */
    return owner == HK_OWNER_POOL && s->size == 0 && carved == 0 && s->cls == HK_CLASS_NONE &&
           relaxed_load(&s->remote) == 0;
  default:
    return 0;
  }
}

int hk_debug_move_ok(struct hk_slab *s, enum hk_slab_where to, struct hk_heap *owner) {
  if (move_ok(s, to, owner)) return 1;
  static const char *const names[] = {"UNUSED", "SPARE", "FREE", "PURGED", "CURRENT", "WARM", "PARTIAL", "DETACHED"};
  const char *parts[] = {"hakmem: slab ", NULL, ": ", s->where <= HK_SLAB_DETACHED ? names[s->where] : "?", " -> ",
                         names[to], ", owner ", NULL, " -> ", NULL, ", free ", NULL, " carved ", NULL, " of ", NULL};
  uint64_t nums[] = {(uintptr_t)s, (uintptr_t)relaxed_load(&s->owner), (uintptr_t)owner,
                     s->free_count, relaxed_load(&s->carved), s->capacity};
  report(parts, sizeof parts / sizeof parts[0], nums, 1);
  return 0;
}

void *hk_debug_walk(struct hk_slab *s, void *first, uint32_t n) {
  void *p = first;
  for (uint32_t i = 0; i < n; i++) {
    struct hk_slab *of = hk_block_slab((uintptr_t)p);
    if (of == NULL || (s != NULL && of != s)) return HK_WALK_BROKEN;
    p = *(void **)p;
  }
  return p;
}

#endif
