/* hakmem.h - public API of libhakmem.
 *
 * The hak_ functions have the semantics of the glibc functions of the same
 * name without the prefix. They work whether or not libhakmem is also the
 * process malloc (LD_PRELOAD or linking libhakmem.a replaces malloc too). */
#ifndef HAKMEM_H
#define HAKMEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAK_API __attribute__((visibility("default")))

HAK_API void *hak_malloc(size_t size);
HAK_API void hak_free(void *ptr);
HAK_API void *hak_calloc(size_t count, size_t size);
HAK_API void *hak_realloc(void *ptr, size_t size);
HAK_API void *hak_reallocarray(void *ptr, size_t count, size_t size);
HAK_API int hak_posix_memalign(void **memptr, size_t alignment, size_t size);
HAK_API void *hak_aligned_alloc(size_t alignment, size_t size);
HAK_API void *hak_memalign(size_t alignment, size_t size);
HAK_API void *hak_valloc(size_t size);
HAK_API void *hak_pvalloc(size_t size);
HAK_API size_t hak_malloc_usable_size(void *ptr);

/* Release every empty slab and cached mapping now, without waiting for
 * HAKMEM_PURGE_DELAY_MS. Returns 1 if memory went back to the OS. */
HAK_API int hak_trim(void);

/* Print the statistics (as HAKMEM_STATS does at exit) to stderr;
 * json != 0 selects the one-line JSON form. */
HAK_API void hak_print_stats(int json);

#ifdef __cplusplus
}
#endif

#endif
