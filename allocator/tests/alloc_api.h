/* Selects which allocator a test calls.
 * Built with -DTEST_HAK_API the test calls the hak_ entry points of libhakmem
 * (static link or the sanitizer builds of the core); otherwise it calls the
 * plain names, i.e. glibc or whatever LD_PRELOAD interposes. */
#ifndef ALLOC_API_H
#define ALLOC_API_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <malloc.h>

#ifdef TEST_HAK_API
#include "hakmem.h"
#define API(fn) hak_##fn
#define API_NAME "hak"
#else
#define API(fn) fn
#define API_NAME "plain"
#endif

/* Hides a value from the optimizer: the compiler knows malloc's alignment
 * and object-size rules and would otherwise fold the very checks we make. */
#define OPAQUE(v) __extension__({ __auto_type o_ = (v); __asm__ volatile("" : "+r"(o_)); o_; })

#endif
