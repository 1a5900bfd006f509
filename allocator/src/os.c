/* os.c - the contract with the operating system: mappings, purging, time,
 * error output, the futex lock. Nothing here allocates. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hakmem_internal.h"

/* Bytes of our mappings, counted here where they are made: stats.c reads
 * them, os.c depends on no other file. */
_Atomic uint64_t hk_os_bytes_mapped, hk_os_peak_bytes_mapped;

static void account_mapped(size_t size, int sign) {
  if (sign > 0) {
    uint64_t now = atomic_fetch_add_explicit(&hk_os_bytes_mapped, size, memory_order_relaxed) + size;
    uint64_t peak = relaxed_load(&hk_os_peak_bytes_mapped);
    while (now > peak &&
           !atomic_compare_exchange_weak_explicit(&hk_os_peak_bytes_mapped, &peak, now,
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
  } else {
    atomic_fetch_sub_explicit(&hk_os_bytes_mapped, size, memory_order_relaxed);
  }
}

void *hk_os_map(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  account_mapped(size, 1);
  return p;
}

/* size bytes aligned to align (a power of two >= the page size): map
 * size + align, then unmap the misaligned head and the tail. Without
 * MAP_NORESERVE, so that the kernel applies its overcommit policy as it does
 * to glibc's mappings: a request larger than the machine can ever back fails
 * here with ENOMEM instead of getting the program OOM-killed later. */
void *hk_os_map_aligned(size_t size, size_t align) {
  size_t span = size + align;
  if (span < size) return NULL;
  char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  char *aligned = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
  size_t head = (size_t)(aligned - p);
  size_t tail = span - head - size;
  if (head) munmap(p, head);
  if (tail) munmap(aligned + size, tail);
  account_mapped(size, 1);
  return aligned;
}

/* Grow the mapping p of old bytes to size bytes without copying its contents:
 * in place when the address space after it is free, else by moving its pages
 * onto a fresh mapping aligned to align. Returns the new address, or NULL. */
void *hk_os_grow(void *p, size_t old, size_t size, size_t align) {
  void *q = mremap(p, old, size, 0);
  if (q != MAP_FAILED) {
    account_mapped(size - old, 1);
    return q;
  }
  char *dst = hk_os_map_aligned(size, align);
  if (!dst) return NULL;
  /* One VMA grows as it moves, and stays one, so it can grow in place next
   * time; pages gathered from several VMAs can only move. */
  if (mremap(p, old, size, MREMAP_MAYMOVE | MREMAP_FIXED, dst) != MAP_FAILED) {
    account_mapped(old, -1);
    return dst;
  }
  if (!hk_os_move(p, old, dst)) {
    hk_os_unmap(dst, size);
    return NULL;
  }
  return dst;
}

/* Move the pages of [src, src + size) onto dst, part of one of our mappings,
 * replacing its pages there. A pure move (no resize): the kernel does it
 * across several VMAs too. Returns 0 if it could not. */
int hk_os_move(void *src, size_t size, void *dst) {
  if (mremap(src, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, dst) == MAP_FAILED) return 0;
  account_mapped(size, -1);
  return 1;
}

void hk_os_unmap(void *p, size_t size) {
  munmap(p, size);
  account_mapped(size, -1);
}

void hk_os_purge(void *p, size_t size) { madvise(p, size, MADV_DONTNEED); }

/* Milliseconds since an arbitrary start; wraps after 49 days, compare by difference. */
uint32_t hk_os_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void hk_os_write_fd(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    s += w;
    n -= (size_t)w;
  }
}

void hk_os_abort(void) { abort(); }

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  __asm__ volatile("" ::: "memory");
#endif
}

/* Futex lock, states 0 free, 1 held, 2 held with waiters. */
void hk_lock_slow(hk_lock_t *l) {
  for (int spin = 0; spin < 100; spin++) {
    int expected = 0;
    if (relaxed_load(&l->v) == 0 &&
        atomic_compare_exchange_weak_explicit(&l->v, &expected, 1, memory_order_acquire, memory_order_relaxed))
      return;
    cpu_relax();
  }
  while (atomic_exchange_explicit(&l->v, 2, memory_order_acquire) != 0)
    syscall(SYS_futex, &l->v, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void hk_unlock(hk_lock_t *l) {
  if (atomic_exchange_explicit(&l->v, 0, memory_order_release) == 2)
    syscall(SYS_futex, &l->v, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
