/* text.c - the one text writer of the library: messages, knob lists and the
 * stats are built in a caller's buffer and written with write(2), never
 * allocating (they run inside malloc, before libc is up, or at exit). What
 * does not fit the buffer is cut; the last byte is kept for the newline. */
#include <string.h>

#include "hakmem_internal.h"

void hk_text_put(struct hk_text *t, const char *s, size_t n) {
  size_t room = t->cap - 1 - t->len;
  if (n > room) n = room;
  memcpy(t->buf + t->len, s, n);
  t->len += n;
}

void hk_text_str(struct hk_text *t, const char *s) { hk_text_put(t, s, strlen(s)); }

/* Right-aligned in width columns (0: no padding). */
void hk_text_col(struct hk_text *t, uint64_t v, size_t width) {
  char digits[20];
  size_t n = 0;
  do {
    digits[sizeof digits - ++n] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (width-- > n) hk_text_put(t, " ", 1);
  hk_text_put(t, digits + sizeof digits - n, n);
}

void hk_text_u64(struct hk_text *t, uint64_t v) { hk_text_col(t, v, 0); }

void hk_text_long(struct hk_text *t, long v) {
  if (v < 0) hk_text_put(t, "-", 1);
  hk_text_u64(t, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void hk_text_hex(struct hk_text *t, uintptr_t v) {
  static const char hex[] = "0123456789abcdef";
  char digits[2 + 2 * sizeof v];
  size_t n = 0;
  do {
    digits[sizeof digits - ++n] = hex[v & 15];
    v >>= 4;
  } while (v);
  hk_text_put(t, "0x", 2);
  hk_text_put(t, digits + sizeof digits - n, n);
}

void hk_text_write_line(struct hk_text *t, int fd) {
  t->buf[t->len++] = '\n';
  hk_os_write_fd(fd, t->buf, t->len);
  t->len = 0;
}
