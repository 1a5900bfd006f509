#!/usr/bin/env bash
# The one command: build, check dependencies, measure every allocator on every workload,
# write results/<run-id>/ (CSVs, meta.json, report.md) and plots/<run-id>/, print the summary.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3

usage() {
  cat <<'EOF'
usage: ./run_all.sh [options]

Builds (make), checks dependencies (installs them with apt-get when root on Debian), runs the
benchmark matrix and writes results/<run-id>/{runs,syscalls,perf,summary}.csv, meta.json,
report.md and the figures in plots/<run-id>/. results/latest points at the newest run.

options (LIST = comma-separated; also accepted as --option=value):
  --quick              small sizes and 3 reps: the whole pipeline in a few minutes
  --profile NAME       workload sizes: full, quick or tiny (default: full, with --quick quick)
  --allocators LIST    allocators to compare (default: system,jemalloc,mimalloc,tcmalloc,hakmem)
  --allocator NAME=/path/lib.so
                       add another allocator, preloaded from that library (repeatable)
  --workloads LIST     workloads or suites: micro (the default: random_mixed,tiny_hot,mid_large_mt,
                       larson), programs (z3,gs,redis,lua,ruby,sqlite,python,gcc,xz), all (both),
                       and the names of --program workloads
  --program NAME='command ...'
                       add a program workload: that command run whole under each allocator, its stdout
                       checked against a run on glibc, throughput 1 / wall time (repeatable)
  --program-work NAME=REGEX
                       the program's work units: REGEX's first group in its stdout (throughput = units/s)
  --program-check NAME=reference|exit|sha256:HEX
                       how its output is checked (default reference: stdout as on glibc)
  --threads LIST       thread counts of the multithreaded workloads (default: 1,2)
  --reps N|auto        repetitions of every cell (default: 5, with --quick 3); auto: then more
                       until every CI of hakmem vs its best peer is narrower than --target-ci
  --target-ci PCT      add reps until those CIs are narrower than PCT% (auto: 10)
  --max-reps N         at most this many reps with --target-ci or --reps auto (default: 20)
  --env KEY=VALUE      environment for the runs, recorded in meta.json; HAKMEM_* keys reach
                       the hakmem runs only (repeatable)
  --out DIR            where <run-id>/ goes (default: results)
  --timeout SECONDS    kill and record as timeout a run longer than this (default: 120)
  --no-strace          skip the syscall counts
  --no-perf            skip perf stat, the cachegrind branch-miss simulation and the
                       callgrind allocator cost per call
  --pin[=CPUS]         pin each run to CPUs (default: the first T CPUs for a run with T threads)
  --run-id ID          name of the run directory (default: UTC time + git short sha)
  --plots DIR          where the figures' <run-id>/ goes (default: plots)
  --help               this text

On a cluster (see the README, "Running on a cluster"): builds, then writes a job of shards, each a
whole matrix of the options above, instead of measuring:
  --emit-jobs DIR      write the job into DIR: job.json, slurm.sbatch, parallel.sh
  --shards N           N shards with the same matrix, one per machine (default: 1)
  --sweep KEY=V1,V2..  one shard per value of an --env KEY (e.g. HAKMEM_TINY_REFILL=16,64)
EOF
}

bad_usage() {
  echo "run_all.sh: $1" >&2
  usage >&2
  exit 2
}

# ---- flags -> run_matrix.py arguments --------------------------------------------------
matrix_args=()
out=$ROOT/results
plots=$ROOT/plots
run_id=
jobs_args=()   # --emit-jobs and the flags that shape its shards
while [ $# -gt 0 ]; do
  flag=$1 value=
  case $flag in
    --*=*) value=${flag#*=}; flag=${flag%%=*}; has_value=1 ;;
    *) has_value=0 ;;
  esac
  case $flag in
    --help|-h) usage; exit 0 ;;
    --quick|--no-strace|--no-perf)
      [ "$has_value" = 0 ] || bad_usage "$flag takes no value"
      matrix_args+=("$flag") ;;
    --pin)
      if [ "$has_value" = 1 ]; then matrix_args+=("--pin=$value"); else matrix_args+=(--pin); fi ;;
    --allocators|--allocator|--workloads|--threads|--reps|--target-ci|--max-reps|--profile|--env|--out|--timeout|--program|--program-work|--program-check|--run-id|--plots|--emit-jobs|--shards|--sweep)
      if [ "$has_value" = 0 ]; then
        [ $# -ge 2 ] || bad_usage "$flag needs a value"
        value=$2; shift
      fi
      case $flag in   # paths are the caller's, relative to where run_all.sh was started
        --out) value=$(realpath -m -- "$value"); out=$value ;;
        --allocator) [ "${value#*=}" = "$value" ] || value=${value%%=*}=$(realpath -m -- "${value#*=}") ;;
        --plots) plots=$(realpath -m -- "$value"); shift; continue ;;
        --run-id) run_id=$value; shift; continue ;;
        --emit-jobs) value=$(realpath -m -- "$value") ;;
      esac
      case $flag in
        --emit-jobs|--shards|--sweep) jobs_args+=("$flag=$value") ;;
        *) matrix_args+=("$flag=$value") ;;
      esac ;;
    *) bad_usage "unknown option: $1" ;;
  esac
  shift
done

start=$(date +%s)
say() { echo "run_all: $*" >&2; }

# ---- or write a job of shards for a cluster (then build once, and stop) --------------------
if [ ${#jobs_args[@]} -gt 0 ]; then
  [ -z "$run_id" ] && [ "$plots" = "$ROOT/plots" ] || bad_usage "--run-id and --plots are set by each shard"
  "$PY" "$ROOT/harness/emit_jobs.py" "${jobs_args[@]}" -- "${matrix_args[@]}" || exit $?
fi

# ---- dependencies ----------------------------------------------------------------------
# harness/deps.sh installs what is missing (root on Debian) or names it; what is still missing
# then stops the run (build tools, python3) or leaves out what needs it.
"$ROOT/harness/deps.sh" || say "the run goes on without what needs the missing packages"

# have PACKAGE: whether what that Debian package provides is there.
have() {
  case $1 in
    make) command -v make >/dev/null ;;
    gcc) command -v gcc >/dev/null ;;
    time) [ -x /usr/bin/time ] ;;
    python3) [ -x "$PY" ] ;;
    strace) command -v strace >/dev/null ;;
    linux-perf) command -v perf >/dev/null && perf --version >/dev/null 2>&1 ;;
    valgrind) command -v valgrind >/dev/null ;;
    python3-matplotlib) [ -x "$PY" ] && "$PY" -c 'import matplotlib' 2>/dev/null ;;
  esac
}
required="make gcc time python3"
for p in $required; do
  have "$p" || { echo "run_all.sh: $p is required (Debian package $p); install it and run again" >&2; exit 1; }
done
have strace || { say "strace is missing (Debian package strace): no syscall counts"; matrix_args+=(--no-strace); }
have linux-perf || say "perf is missing (Debian package linux-perf): perf.csv marks every event unsupported"
have valgrind || say "valgrind is missing (Debian package valgrind): no simulated branch misses, no allocator cost per call"
report=1
have python3-matplotlib || { say "matplotlib is missing (Debian package python3-matplotlib): no figures or report"; report=0; }

# ---- build -----------------------------------------------------------------------------
say "building (make)"
if ! make -s -C "$ROOT" >&2; then
  say "make failed; building the workload drivers alone (hakmem will be skipped if its library is missing)"
  make -s -C "$ROOT" workloads >&2
fi

[ ${#jobs_args[@]} -eq 0 ] || exit 0

# ---- measure ---------------------------------------------------------------------------
[ -n "$run_id" ] || run_id=$(cd "$ROOT/harness" && "$PY" -c 'from hakbench import meta; print(meta.new_run_id())')
status=0
"$PY" "$ROOT/harness/run_matrix.py" --run-id="$run_id" "${matrix_args[@]}" || status=$?
run_dir=$out/$run_id
if [ "$status" -ne 0 ]; then
  [ -d "$run_dir" ] && say "what was measured is in $run_dir"
  exit "$status"
fi

# ---- figures and report ----------------------------------------------------------------
plots_dir=$plots/$run_id
if [ "$report" = 1 ]; then
  "$PY" "$ROOT/harness/report.py" "$run_dir" --plots-dir "$plots_dir" || { say "harness/report.py failed"; status=1; }
fi

echo
echo "run $run_id done in $(( $(date +%s) - start )) s"
echo "  results:  $run_dir/ ($(cd "$run_dir" && ls | tr '\n' ' '))"
[ -d "$plots_dir" ] && echo "  figures:  $plots_dir/ ($(ls "$plots_dir" | wc -l) files)"
[ -f "$run_dir/report.md" ] && echo "  report:   $run_dir/report.md"
echo "  latest:   $out/latest -> $(readlink "$out/latest")"
exit "$status"
