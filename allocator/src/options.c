/* options.c - every knob in one table, read from the environment at init
 * without allocating. HAKMEM_HELP=1 prints the table, HAKMEM_VERBOSE=1 the
 * final values. README.md's knob table is that output: tests/knob_table.py
 * LIB --write regenerates it, and the allocator tests fail when they differ. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hakmem_internal.h"

extern char **environ;

struct option_def {
  const char *name;
  long def, min, max;
  const char *help;
};

static const struct option_def defs[HK_OPT_COUNT] = {
    [HK_OPT_TINY_REFILL] = {"HAKMEM_TINY_REFILL", 64, 1, 1024,
                            "blocks moved from a slab into a thread cache per refill (mid classes: see HAKMEM_MID_REFILL_KB); "
                            "the cache flushes at twice this"},
    [HK_OPT_MID_REFILL_KB] = {"HAKMEM_MID_REFILL_KB", 512, 16, 4096,
                              "mid classes: at most this many KiB per refill (at least 2 blocks); the cache flushes at twice this"},
    [HK_OPT_WARM_POOL_SIZE] = {"HAKMEM_WARM_POOL_SIZE", 1, 0, 64,
                               "emptied slabs a thread keeps per class, ready for reuse, before the shared pool gets them"},
    [HK_OPT_TINY_BORROW] = {"HAKMEM_TINY_BORROW", 4, 0, 8,
                            "a tiny class out of free blocks takes free ones of up to this many next larger classes "
                            "before carving fresh memory (0: never)"},
    [HK_OPT_ARENA_MB_INIT] = {"HAKMEM_POOL_TLS_ARENA_MB_INIT", 1, 1, 8, "first mid arena chunk of a thread, MiB"},
    [HK_OPT_ARENA_MB_MAX] = {"HAKMEM_POOL_TLS_ARENA_MB_MAX", 8, 1, 8, "largest mid arena chunk, MiB"},
    [HK_OPT_ARENA_GROWTH_LEVELS] = {"HAKMEM_POOL_TLS_ARENA_GROWTH_LEVELS", 4, 1, 8,
                                    "chunk sizes a thread's mid arena grows through, doubling each time"},
    [HK_OPT_PURGE_DELAY_MS] = {"HAKMEM_PURGE_DELAY_MS", 100, 0, 60000,
                               "empty slabs and cached large mappings go back to the OS after this long"},
    [HK_OPT_MID_MAX] = {"HAKMEM_MID_MAX", 65536, 1024, 65536, "largest size served from slabs; above: large (mmap)"},
    [HK_OPT_LARGE_CACHE] = {"HAKMEM_LARGE_CACHE", 32, 0, 256,
                            "freed large mappings kept for reuse (count; in bytes at most 32 MiB, a quarter of the "
                            "large blocks in use, or the last one freed up to 64 MiB)"},
    [HK_OPT_VERBOSE] = {"HAKMEM_VERBOSE", 0, 0, 1, "1: print every knob's final value to stderr at init"},
    [HK_OPT_STATS] = {"HAKMEM_STATS", 0, 0, 2, "1: statistics table on stderr at exit; json: one JSON line"},
    [HK_OPT_HELP] = {"HAKMEM_HELP", 0, 0, 1, "1: print this table to stderr at init"},
};

long hk_opt[HK_OPT_COUNT];

/* The environment before libc has set environ (first malloc from the
 * dynamic loader): read it from /proc, into static storage. */
static char proc_env[32768];
static size_t proc_env_len;

static void load_proc_environ(void) {
  int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n;
  while (proc_env_len < sizeof proc_env - 1 &&
         (n = read(fd, proc_env + proc_env_len, sizeof proc_env - 1 - proc_env_len)) > 0)
    proc_env_len += (size_t)n;
  close(fd);
}

static const char *match(const char *entry, const char *name) {
  size_t len = strlen(name);
  return strncmp(entry, name, len) == 0 && entry[len] == '=' ? entry + len + 1 : NULL;
}

static const char *env_get(const char *name) {
  if (environ) {
    for (char **e = environ; *e; e++) {
      const char *v = match(*e, name);
      if (v) return v;
    }
    return NULL;
  }
  for (size_t i = 0; i < proc_env_len; i += strlen(proc_env + i) + 1) {
    const char *v = match(proc_env + i, name);
    if (v) return v;
  }
  return NULL;
}

/* One line of knob output (init, under its lock): long enough for the longest help text. */
static char line[512];

static int parse(enum hk_option_id id, const char *s, long *out) {
  if (id == HK_OPT_STATS && strcmp(s, "json") == 0) {
    *out = HK_STATS_JSON;
    return 1;
  }
  if (*s == '\0') return 0;
  long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 100000000L) return 0;
    v = v * 10 + (*s - '0');
  }
  if (id == HK_OPT_STATS && v > HK_STATS_TEXT) return 0;
  *out = v;
  return 1;
}

void hk_options_init(void) {
  if (!environ) load_proc_environ();
  for (int id = 0; id < HK_OPT_COUNT; id++) {
    const struct option_def *d = &defs[id];
    const char *s = env_get(d->name);
    long v = d->def;
    hk_opt[id] = d->def;
    if (!s) continue;
    if (!parse(id, s, &v) || v < d->min || v > d->max) {
      struct hk_text t = HK_TEXT(line);
      hk_text_str(&t, "hakmem: warning: invalid value for ");
      hk_text_str(&t, d->name);
      hk_text_str(&t, " (\"");
      hk_text_str(&t, s);
      hk_text_str(&t, "\"), keeping the default ");
      hk_text_long(&t, d->def);
      hk_text_write_line(&t, 2);
      continue;
    }
    hk_opt[id] = v;
  }
  if (hk_opt[HK_OPT_ARENA_MB_MAX] < hk_opt[HK_OPT_ARENA_MB_INIT])
    hk_opt[HK_OPT_ARENA_MB_MAX] = hk_opt[HK_OPT_ARENA_MB_INIT];
  if (hk_opt[HK_OPT_HELP]) hk_options_print(1);
  if (hk_opt[HK_OPT_VERBOSE]) hk_options_print(0);
}

/* One line per knob: name=value, or with_help: name, default, range, help. */
void hk_options_print(int with_help) {
  struct hk_text t = HK_TEXT(line);
  hk_text_str(&t, with_help ? "hakmem: knobs (name default min..max help)" : "hakmem: knobs");
  hk_text_write_line(&t, 2);
  for (int id = 0; id < HK_OPT_COUNT; id++) {
    const struct option_def *d = &defs[id];
    hk_text_str(&t, "hakmem:   ");
    hk_text_str(&t, d->name);
    if (with_help) {
      hk_text_str(&t, " ");
      hk_text_long(&t, d->def);
      hk_text_str(&t, " ");
      if (id == HK_OPT_STATS) {
        hk_text_str(&t, "0|1|json");
      } else {
        hk_text_long(&t, d->min);
        hk_text_str(&t, "..");
        hk_text_long(&t, d->max);
      }
      hk_text_str(&t, " ");
      hk_text_str(&t, d->help);
    } else {
      hk_text_str(&t, "=");
      if (id == HK_OPT_STATS && hk_opt[id] == HK_STATS_JSON) hk_text_str(&t, "json");
      else hk_text_long(&t, hk_opt[id]);
    }
    hk_text_write_line(&t, 2);
  }
}
