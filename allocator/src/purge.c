/* purge.c - the purge clock: the slow paths (cache refill and flush, large
 * free) call hk_purge_maybe, which runs the shared pool's and the large
 * cache's purges when either has something to give back and a quarter of
 * HAKMEM_PURGE_DELAY_MS has passed since the last run. The pools only raise
 * their pending flags; they never call here, so the dependency goes one
 * way: purge.c -> shared_pool.c, large.c. */
#include "hakmem_internal.h"

static _Atomic uint32_t last_purge_ms;

void hk_purge_maybe(void) {
  if (!(relaxed_load(&hk_pool_purge_pending) | relaxed_load(&hk_large_purge_pending))) return;
  uint32_t now = hk_os_now_ms(), delay = (uint32_t)hk_opt[HK_OPT_PURGE_DELAY_MS];
  /* Elapsed time as an unsigned difference: right across the 32-bit wrap and
   * whatever the clock's sign bit (a signed test against a deadline that
   * starts at 0 never passed while the ms count was >= 2^31). */
  if (now - relaxed_load(&last_purge_ms) < (delay / 4 ? delay / 4 : 1)) return;
  relaxed_store(&last_purge_ms, now);
  hk_pool_purge(now, delay);
  hk_large_purge(now, delay);
}

int hk_purge_now(void) {
  uint32_t now = hk_os_now_ms();
  int released = hk_pool_purge(now, 0);
  return (hk_large_purge(now, 0) > 0) | released;
}
