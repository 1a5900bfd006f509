#!/usr/bin/env bash
# Tests of the workload drivers and the preload shims; one PASS/FAIL line per
# test. Assumes `make` has been run.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/build/workloads
SHIMS=$ROOT/build/shims
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

DRIVERS="random_mixed tiny_hot mid_large_mt larson"
declare -A SMALL=(
  [random_mixed]="--iterations 200000 --ws 1024 --warmup 1000"
  [tiny_hot]="--cycles 2000 --warmup 10"
  [mid_large_mt]="--cycles 20000 --ws 64 --warmup 100"
  [larson]="--seconds 0.2 --warmup 0.05 --chunks 100 --rounds 5"
)

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# run [ENV=VALUE...] PROGRAM ARGS...: sets OUT, ERR, RC. A time limit keeps a
# broken driver from hanging the suite; env applies the preload to the driver
# only, not to timeout.
run() {
  { timeout 20 env "$@" >"$TMP/out" 2>"$TMP/err"; } 2>/dev/null
  RC=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

# key NAME: the value of NAME= in the RESULT line in OUT.
key() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$OUT"; }

RESULT_RE='^RESULT workload=[a-z_]+ threads=[0-9]+ ops=[0-9]+ seconds=[0-9]+\.[0-9]+ ops_per_sec=[0-9]+\.[0-9]+( [a-z_]+=[^ =]+)*$'

for w in $DRIVERS; do
  if [ ! -x "$BIN/$w" ]; then
    fail "build-$w" "$BIN/$w missing (run make)"
    continue
  fi

  run "$BIN/$w" --help
  if [ "$RC" -eq 0 ] && grep -q '^usage:' <<<"$OUT" && [ -z "$ERR" ]; then
    pass "help-$w"
  else
    fail "help-$w" "rc=$RC, want 0 and usage on stdout"
  fi

  for bad in --no-such-flag --seed=abc "--seed -1" --seed; do
    # shellcheck disable=SC2086
    run "$BIN/$w" $bad
    name="bad-arg-$w(${bad// /_})"
    if [ "$RC" -eq 2 ] && grep -q '^usage:' <<<"$ERR" && [ -z "$OUT" ]; then
      pass "$name"
    else
      fail "$name" "rc=$RC, want 2 and usage on stderr only"
    fi
  done

  # shellcheck disable=SC2086
  run "$BIN/$w" ${SMALL[$w]}
  lines=$(grep -c '' <<<"$OUT")
  if [ "$RC" -ne 0 ]; then
    fail "result-$w" "rc=$RC: $ERR"
  elif [ "$lines" -ne 1 ] || ! grep -Eq "$RESULT_RE" <<<"$OUT"; then
    fail "result-$w" "want one RESULT line, got: $OUT"
  elif [ "$(key workload)" != "$w" ] || [ "$(key ops)" -le 0 ]; then
    fail "result-$w" "wrong workload or ops: $OUT"
  else
    pass "result-$w"
  fi

  # The corruption check must see the overlapping blocks of a broken allocator.
  # shellcheck disable=SC2086
  run LD_PRELOAD="$SHIMS/overlap.so" "$BIN/$w" ${SMALL[$w]}
  if [ "$RC" -eq 3 ] && grep -q '^corruption: ' <<<"$ERR"; then
    pass "corruption-$w"
  else
    fail "corruption-$w" "rc=$RC, want 3 and 'corruption:' on stderr; stderr: ${ERR:0:200}"
  fi
done

# Count-determined drivers: the same seed gives the same ops and bytes, another
# seed other bytes (so the seed is really used).
for w in random_mixed tiny_hot mid_large_mt; do
  # shellcheck disable=SC2086
  run "$BIN/$w" ${SMALL[$w]} --seed 7; a="$(key ops) $(key bytes)"
  # shellcheck disable=SC2086
  run "$BIN/$w" ${SMALL[$w]} --seed 7; b="$(key ops) $(key bytes)"
  # shellcheck disable=SC2086
  run "$BIN/$w" ${SMALL[$w]} --seed 8; c="$(key ops) $(key bytes)"
  if [ "$a" = "$b" ] && [ "$a" != "$c" ] && [ -n "${a// /}" ]; then
    pass "deterministic-$w"
  else
    fail "deterministic-$w" "seed 7: '$a' then '$b'; seed 8: '$c'"
  fi
done

run "$BIN/random_mixed" --min 100 --max 10
if [ "$RC" -eq 2 ] && grep -q '^usage:' <<<"$ERR"; then
  pass "min-above-max-rejected"
else
  fail "min-above-max-rejected" "rc=$RC"
fi

run "$BIN/tiny_hot" --cycles 10 --batch 7
if [ "$(key ops)" = 140 ]; then pass "tiny_hot-ops-count"; else fail "tiny_hot-ops-count" "$OUT"; fi

# Cross-thread frees happen when asked for, and only then; whichever thread
# frees a block, the total of ops stays the same for a seed.
# shellcheck disable=SC2086
run "$BIN/mid_large_mt" ${SMALL[mid_large_mt]} --cross-free 0.5
crossed=$(key cross_frees); ops_a=$(key ops)
# shellcheck disable=SC2086
run "$BIN/mid_large_mt" ${SMALL[mid_large_mt]} --cross-free 0.5
ops_b=$(key ops)
# shellcheck disable=SC2086
run "$BIN/mid_large_mt" ${SMALL[mid_large_mt]} --cross-free 0
if [ "${crossed:-0}" -gt 0 ] && [ "$(key cross_frees)" = 0 ] && [ "$ops_a" = "$ops_b" ]; then
  pass "mid_large_mt-cross-free"
else
  fail "mid_large_mt-cross-free" "cross_frees=$crossed at 0.5, $(key cross_frees) at 0; ops $ops_a then $ops_b at 0.5"
fi

# larson: the classic positional order, and arrays handed to new threads.
run "$BIN/larson" 0.2 8 64 50 5 7 3
if [ "$RC" -eq 0 ] && [ "$(key threads)" = 3 ] && [ "$(key min)" = 8 ] && [ "$(key max)" = 64 ] &&
   [ "$(key chunks)" = 50 ] && [ "$(key rounds)" = 5 ] && [ "$(key seed)" = 7 ] &&
   [ "$(key handoffs)" -gt 0 ]; then
  pass "larson-positional-and-handoffs"
else
  fail "larson-positional-and-handoffs" "rc=$RC $OUT"
fi
secs=$(key seconds)
if awk -v s="$secs" 'BEGIN { exit !(s >= 0.2 && s < 0.4) }'; then
  pass "larson-timed-seconds"
else
  fail "larson-timed-seconds" "seconds=$secs for a 0.2 s run"
fi

# The shims do what the harness and compare/ tests rely on.
# shellcheck disable=SC2086
run SHIM_ABORT_NTH=50 LD_PRELOAD="$SHIMS/abort_nth.so" "$BIN/random_mixed" ${SMALL[random_mixed]}
if [ "$RC" -eq 134 ] && [ -z "$OUT" ]; then pass "shim-abort_nth"; else fail "shim-abort_nth" "rc=$RC, want 134 (SIGABRT)"; fi

timeout 2 env SHIM_HANG_NTH=50 LD_PRELOAD="$SHIMS/hang.so" "$BIN/random_mixed" >/dev/null 2>&1
RC=$?
if [ "$RC" -eq 124 ]; then pass "shim-hang"; else fail "shim-hang" "rc=$RC, want 124 (timed out)"; fi

# 2000 mallocs at 20 us each take at least 40 ms.
run SHIM_SLOW_NS=20000 LD_PRELOAD="$SHIMS/slow.so" "$BIN/tiny_hot" --cycles 20 --warmup 0
secs=$(key seconds)
if [ "$RC" -eq 0 ] && awk -v s="$secs" 'BEGIN { exit !(s >= 0.04) }'; then
  pass "shim-slow"
else
  fail "shim-slow" "rc=$RC seconds=$secs, want >= 0.04"
fi
exit 0
