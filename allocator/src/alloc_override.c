/* alloc_override.c - the exported malloc names: the only file that makes
 * libhakmem the process allocator (LD_PRELOAD of libhakmem.so, or linking
 * libhakmem.a). Every function that hands out or takes back heap memory is
 * here, so glibc's allocator is never mixed with ours: including the
 * __libc_ aliases some programs call directly. */
#include <malloc.h>
#include <stdio.h>

#include "alloc_fast.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT void *malloc(size_t n) { return hk_malloc_inline(n); }
EXPORT void free(void *p) { hk_free_inline(p); }
EXPORT void *calloc(size_t count, size_t size) { return hak_calloc(count, size); }
EXPORT void *realloc(void *p, size_t n) { return hak_realloc(p, n); }
EXPORT void *reallocarray(void *p, size_t count, size_t size) { return hak_reallocarray(p, count, size); }
EXPORT int posix_memalign(void **memptr, size_t align, size_t n) { return hak_posix_memalign(memptr, align, n); }
EXPORT void *aligned_alloc(size_t align, size_t n) { return hak_aligned_alloc(align, n); }
EXPORT void *memalign(size_t align, size_t n) { return hak_memalign(align, n); }
EXPORT void *valloc(size_t n) { return hak_valloc(n); }
EXPORT void *pvalloc(size_t n) { return hak_pvalloc(n); }
EXPORT size_t malloc_usable_size(void *p) { return hak_malloc_usable_size(p); }

EXPORT void *__libc_malloc(size_t n) { return hk_malloc_inline(n); }
EXPORT void __libc_free(void *p) { hk_free_inline(p); }
EXPORT void *__libc_calloc(size_t count, size_t size) { return hak_calloc(count, size); }
EXPORT void *__libc_realloc(void *p, size_t n) { return hak_realloc(p, n); }
EXPORT void *__libc_memalign(size_t align, size_t n) { return hak_memalign(align, n); }
EXPORT void *__libc_valloc(size_t n) { return hak_valloc(n); }
EXPORT void *__libc_pvalloc(size_t n) { return hak_pvalloc(n); }

/* Returns 1 if memory went back to the OS, like glibc's. */
EXPORT int malloc_trim(size_t pad) {
  (void)pad;
  return hak_trim();
}

/* glibc's tunables do not apply to HAKMEM: report them as not accepted. */
EXPORT int mallopt(int param, int value) {
  (void)param;
  (void)value;
  return 0;
}

EXPORT void malloc_stats(void) { hak_print_stats(0); }

/* A minimal document in glibc's format; the real numbers are in HAKMEM_STATS. */
EXPORT int malloc_info(int options, FILE *fp) {
  if (options != 0) return -1;
  fputs("<malloc version=\"hakmem-1\">\n</malloc>\n", fp);
  return 0;
}
