/* stats.c - HAKMEM_STATS=1 (table) / json (one line) at exit.
 * Threads count in their own heap only while stats are on (the fast paths
 * are switched off then, so counting costs nothing when off); exiting
 * threads merge into the global totals. Printing formats into a static
 * buffer and uses write(2): it never allocates. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hakmem_internal.h"

struct hk_global_stats hk_gstats;

static hk_lock_t stats_lock = HK_LOCK_INIT;
static int stats_fd = 2;

/* Programs like coreutils close stderr before exit: keep our own copy. If
 * stderr is closed already, -1: the stats go nowhere rather than into
 * whatever file the program opens later as fd 2. */
void hk_stats_init(void) { stats_fd = fcntl(2, F_DUPFD_CLOEXEC, 100); }
static struct hk_class_stats merged[HK_NUM_CLASSES];

void hk_class_stats_add(struct hk_class_stats *dst, const struct hk_class_stats *src, unsigned n) {
  for (unsigned cls = 0; cls < n; cls++) {
    dst[cls].mallocs += src[cls].mallocs;
    dst[cls].frees += src[cls].frees;
    dst[cls].cache_hits += src[cls].cache_hits;
    dst[cls].cache_misses += src[cls].cache_misses;
    dst[cls].refills += src[cls].refills;
    dst[cls].warm_hits += src[cls].warm_hits;
    dst[cls].warm_misses += src[cls].warm_misses;
    dst[cls].remote_frees += src[cls].remote_frees;
    dst[cls].borrows += src[cls].borrows;
  }
}

void hk_stats_lock(void) { hk_lock(&stats_lock); }
void hk_stats_unlock(void) { hk_unlock(&stats_lock); }
void hk_stats_after_fork_child(void) { hk_lock_reset(&stats_lock); }

void hk_stats_merge(const struct hk_class_stats *from) {
  hk_lock(&stats_lock);
  hk_class_stats_add(merged, from, HK_NUM_CLASSES);
  hk_unlock(&stats_lock);
}

/* ---- output (stats lock held) ---- */
static char out_buf[24576];
static struct hk_text out;

static void emit_kv(const char *key, uint64_t v, int comma) {
  if (comma) hk_text_str(&out, ",");
  hk_text_str(&out, "\"");
  hk_text_str(&out, key);
  hk_text_str(&out, "\":");
  hk_text_u64(&out, v);
}

#define N_FIELDS 9
static const char *const field_names[N_FIELDS] = {"mallocs", "frees", "cache_hits", "cache_misses",
                                                  "refills", "warm_hits", "warm_misses", "remote_frees",
                                                  "borrows"};
static void fields(const struct hk_class_stats *c, uint64_t v[N_FIELDS]) {
  v[0] = c->mallocs;
  v[1] = c->frees;
  v[2] = c->cache_hits;
  v[3] = c->cache_misses;
  v[4] = c->refills;
  v[5] = c->warm_hits;
  v[6] = c->warm_misses;
  v[7] = c->remote_frees;
  v[8] = c->borrows;
}

struct global_field {
  const char *name;
  _Atomic uint64_t *value;
};
static const struct global_field globals[] = {
    {"slabs_formatted", &hk_gstats.slabs_formatted},
    {"slabs_released", &hk_gstats.slabs_released},
    {"slabs_purged", &hk_gstats.slabs_purged},
    {"superslabs_mapped", &hk_gstats.superslabs_mapped},
    {"superslabs_released", &hk_gstats.superslabs_released},
    {"mid_chunks_mapped", &hk_gstats.mid_chunks_mapped},
    {"mid_chunks_released", &hk_gstats.mid_chunks_released},
    {"large_allocs", &hk_gstats.large_allocs},
    {"large_frees", &hk_gstats.large_frees},
    {"large_cache_hits", &hk_gstats.large_cache_hits},
    {"large_maps", &hk_gstats.large_maps},
    {"large_unmaps", &hk_gstats.large_unmaps},
    {"bytes_mapped", &hk_os_bytes_mapped},
    {"peak_bytes_mapped", &hk_os_peak_bytes_mapped},
};
#define N_GLOBALS (sizeof globals / sizeof globals[0])

void hak_print_stats(int json) {
  static struct hk_class_stats all[HK_NUM_CLASSES];
  struct hk_class_stats total = {0};
  hk_lock(&stats_lock);
  memcpy(all, merged, sizeof all);
  hk_heaps_collect_stats(all);
  for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) hk_class_stats_add(&total, &all[cls], 1);
  out = HK_TEXT(out_buf);
  uint64_t v[N_FIELDS];
  if (json) {
    hk_text_str(&out, "{\"hakmem_stats\":1,\"totals\":{");
    fields(&total, v);
    for (unsigned f = 0; f < N_FIELDS; f++) emit_kv(field_names[f], v[f], f > 0);
    hk_text_str(&out, "},\"classes\":[");
    for (unsigned cls = 0; cls < HK_NUM_CLASSES; cls++) {
      hk_text_str(&out, cls ? ",{" : "{");
      emit_kv("class", cls, 0);
      emit_kv("size", hk_class_size[cls], 1);
      fields(&all[cls], v);
      for (unsigned f = 0; f < N_FIELDS; f++) emit_kv(field_names[f], v[f], 1);
      hk_text_str(&out, "}");
    }
    hk_text_str(&out, "]");
    for (unsigned g = 0; g < N_GLOBALS; g++) emit_kv(globals[g].name, relaxed_load(globals[g].value), 1);
    hk_text_str(&out, "}");
  } else {
    hk_text_str(&out, "hakmem stats\nclass  size");
    for (unsigned f = 0; f < N_FIELDS; f++) {
      hk_text_str(&out, " ");
      size_t n = strlen(field_names[f]);
      while (n++ < 12) hk_text_str(&out, " ");
      hk_text_str(&out, field_names[f]);
    }
    hk_text_str(&out, "\n");
    for (unsigned cls = 0; cls <= HK_NUM_CLASSES; cls++) {
      const struct hk_class_stats *c = cls < HK_NUM_CLASSES ? &all[cls] : &total;
      if (cls < HK_NUM_CLASSES && c->mallocs == 0 && c->frees == 0 && c->remote_frees == 0) continue;
      if (cls < HK_NUM_CLASSES) {
        hk_text_col(&out, cls, 5);
        hk_text_col(&out, hk_class_size[cls], 6);
      } else {
        hk_text_str(&out, "total      ");
      }
      fields(c, v);
      for (unsigned f = 0; f < N_FIELDS; f++) {
        hk_text_str(&out, " ");
        hk_text_col(&out, v[f], 12);
      }
      hk_text_str(&out, "\n");
    }
    for (unsigned g = 0; g < N_GLOBALS; g++) {
      hk_text_str(&out, globals[g].name);
      hk_text_str(&out, "=");
      hk_text_u64(&out, relaxed_load(globals[g].value));
      if (g + 1 < N_GLOBALS) hk_text_str(&out, " ");
    }
  }
  hk_text_write_line(&out, stats_fd);
  hk_unlock(&stats_lock);
}

__attribute__((destructor)) static void stats_at_exit(void) {
  if (HK_STATS_ON()) hak_print_stats(hk_opt[HK_OPT_STATS] == HK_STATS_JSON);
}
