#!/usr/bin/env bash
# Runs every test suite and closes with "N passed, M failed[, K skipped]".
# A suite is an executable <dir>/tests/run.sh that prints one line per test:
#   PASS <name> | FAIL <name>: <why> | SKIP <name>: <why>
# A suite that exits non-zero without printing any FAIL counts as one failure.
# SUITES="allocator workloads" limits the run to some suites.
set -u
cd "$(dirname "$0")/.."
suites=${SUITES:-"workloads allocator harness compare"}
pass=0 fail=0 skip=0
for s in $suites; do
  script="$s/tests/run.sh"
  if [ ! -x "$script" ]; then
    echo "FAIL suite-$s: $script missing"; fail=$((fail+1)); continue
  fi
  echo "== suite $s"
  log=$(mktemp)
  "$script" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log"); k=$(grep -c '^SKIP ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL suite-$s: exited $rc without naming a failure"; f=1
  fi
  pass=$((pass+p)); fail=$((fail+f)); skip=$((skip+k))
  rm -f "$log"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
