#!/usr/bin/env bash
# The one command: install what is missing, build, then measure every allocator on every workload and write
# results/<run-id>/ (CSVs, meta.json, report.md) and plots/<run-id>/, and print the summary.
# The options are harness/hakbench/cli/run_all.py's (./run_all.sh --help prints them); they reach it as given.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export PYTHONPATH=$ROOT/harness${PYTHONPATH:+:$PYTHONPATH}
say() { echo "run_all: $*" >&2; }

# ---- the options: --help prints them; a bad one exits 2 with the usage, before anything is installed or built
# (python3 reads them: where it is missing, the dependencies come first)
[ -x "$PY" ] || "$ROOT/harness/deps.sh" || [ -x "$PY" ] || { say "python3 is required (Debian package python3)"; exit 1; }
for arg in "$@"; do
  case $arg in --help|-h) exec "$PY" -m hakbench.cli.run_all --help ;; esac
done
"$PY" -m hakbench.cli.run_all --check "$@" || exit $?

# ---- dependencies ----------------------------------------------------------------------
# harness/deps.sh installs what is missing (root on Debian) or names it; the build tools are required,
# and the run leaves out what needs the others (the matrix says what: strace, perf, valgrind, matplotlib).
"$ROOT/harness/deps.sh" || say "the run goes on without what needs the missing packages"
for tool in make gcc /usr/bin/time; do
  command -v "$tool" >/dev/null || { say "$tool is required (Debian package ${tool##*/}); install it and run again"; exit 1; }
done

# ---- build -----------------------------------------------------------------------------
say "building (make)"
if ! make -s -C "$ROOT" >&2; then
  say "make failed; building the workload drivers alone (hakmem will be skipped if its library is missing)"
  make -s -C "$ROOT" workloads >&2
fi

# ---- measure, figures and report (or, with --emit-jobs, write the job of shards) -------------------
exec "$PY" -m hakbench.cli.run_all "$@"
