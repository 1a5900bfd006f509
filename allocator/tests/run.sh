#!/usr/bin/env bash
# Allocator test suite (see the test contract in tests/run_tests.sh):
# prints one PASS/FAIL/SKIP line per test. Every test runs against glibc and,
# once build/libhakmem.so exists, against libhakmem (LD_PRELOAD, the hak_ API
# linked from build/libhakmem.a, and the core under TSan and ASan+UBSan).
# hakmem-only checks (knobs, stats, bad-free message) are skipped only while
# libhakmem is not built. Logs of every run: build/tests/logs/<test>.log
# Usage: allocator/tests/run.sh [-k pattern]   (-k: run only tests whose name matches)
# ALLOC_SO=/path/to/lib.so runs the LD_PRELOAD tests against another allocator
# instead (e.g. mimalloc, to check the tests themselves).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/allocator/tests
BIN=$TOP/build/tests
LOGS=$BIN/logs
HAK_SO=${ALLOC_SO:-$TOP/build/libhakmem.so}
HAK_A=$TOP/build/libhakmem.a
PY=/usr/bin/python3
ONLY=""

usage() { echo "usage: $0 [-k pattern]" >&2; exit 2; }
while getopts "k:" opt; do
    case $opt in
        k) ONLY=$OPTARG ;;
        *) usage ;;
    esac
done
[ $OPTIND -gt $# ] || usage

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$LOGS"

# -k: the half-built allocator must not keep the glibc tests from building.
if ! make -s -k -C "$SRC" >"$LOGS/build.log" 2>&1; then
    echo "FAIL alloc-tests-build: make -C allocator/tests failed: $(grep -m1 -E 'error|Error' "$LOGS/build.log")"
fi

have_hak() { [ -f "$HAK_SO" ]; }
selected() { [ -z "$ONLY" ] || [[ $1 == *$ONLY* ]]; }
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
# The gist of a log on one line, for a FAIL message: the lines reporting a
# failure if the test printed any, plus its last line(s).
excerpt() {
    { grep -m2 -E '^FAIL |check failed' "$1"; tail -n "${2:-3}" "$1"; } | tr '\n' ' ' | cut -c1-400
}

# run_test NAME SECONDS CMD...: PASS when CMD exits 0 within SECONDS.
run_test() {
    local name=$1 limit=$2
    shift 2
    selected "$name" || return 0
    local log=$LOGS/$name.log
    if [ ! -x "$1" ] && [ "$1" != env ]; then
        fail "$name" "$1 was not built (see $LOGS/build.log)"
        return
    fi
    # A subshell that does not exec: bash's notice of a crash lands in the log.
    (timeout -k 5 "$limit" "$@"; exit $?) >"$log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ]; then
        pass "$name"
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        fail "$name" "timed out after ${limit}s (hang?): $(excerpt "$log")"
    else
        fail "$name" "exit $rc: $(excerpt "$log")"
    fi
}

# run_both NAME SECONDS PROG ARGS...: against glibc, then under LD_PRELOAD=libhakmem.so.
run_both() {
    local name=$1 limit=$2
    shift 2
    run_test "$name-glibc" "$limit" "$@"
    if have_hak; then
        run_test "$name-preload" "$limit" env LD_PRELOAD="$HAK_SO" "$@"
    elif selected "$name-preload"; then
        skip "$name-preload" "build/libhakmem.so not built"
    fi
}

# run_hak NAME SECONDS PROG ARGS...: a variant that needs libhakmem (hak_ link, sanitizers).
run_hak() {
    local name=$1
    if [ -f "$HAK_A" ]; then
        run_test "$@"
    elif selected "$name"; then
        skip "$name" "build/libhakmem.a not built"
    fi
}

# --- API edge cases -------------------------------------------------------
run_both api 30 "$BIN/api_test"
run_hak api-hak 30 "$BIN/api_test_hak"
# free's block-start check against division, every offset of every class's slab.
run_test block-check 60 "$BIN/block_check_test"

# --- multithreaded stress with verified payloads ----------------------------
run_both stress 60 "$BIN/stress_test" -t 4 -g 10 -n 20000
run_hak stress-hak 60 "$BIN/stress_test_hak" -t 4 -g 10 -n 20000
run_hak stress-tsan 120 env TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
    "$BIN/stress_test_tsan" -t 3 -g 4 -n 4000 -m 300000
run_hak stress-asan-ubsan 120 env ASAN_OPTIONS="halt_on_error=1 detect_leaks=0" \
    "$BIN/stress_test_asan" -t 3 -g 6 -n 8000 -m 300000

# --- fork from a multithreaded process ---------------------------------------
run_both fork 60 "$BIN/fork_test" -f 10
# With statistics busy in other threads (HAKMEM_STATS=1): output is large, so stderr goes to /dev/null.
run_both fork-stats 60 /bin/sh -c 'exec "$@" 2>/dev/null' sh env HAKMEM_STATS=1 "$BIN/fork_test" -f 30 -s

# --- hazards of the research record ------------------------------------------
# Init recursion: first mallocs from constructors, pthread_create, stdio, dlsym.
run_both init-recursion 20 "$BIN/init_recursion_test"
run_test init-recursion-early-lib-glibc 20 env LD_PRELOAD="$BIN/libearly_malloc.so" "$BIN/init_recursion_test"
if have_hak; then
    # Preload order decides whose constructor runs first; try both.
    run_test init-recursion-early-lib-first 20 \
        env LD_PRELOAD="$BIN/libearly_malloc.so:$HAK_SO" "$BIN/init_recursion_test"
    run_test init-recursion-early-lib-last 20 \
        env LD_PRELOAD="$HAK_SO:$BIN/libearly_malloc.so" "$BIN/init_recursion_test"
    run_test init-recursion-verbose-stats 20 \
        env HAKMEM_VERBOSE=1 HAKMEM_STATS=1 LD_PRELOAD="$HAK_SO" "$BIN/init_recursion_test"
else
    for t in init-recursion-early-lib-first init-recursion-early-lib-last init-recursion-verbose-stats; do
        selected $t && skip $t "build/libhakmem.so not built"
    done
fi
run_both late-destructor 20 "$BIN/late_destructor_test"
run_both raw-exit 20 "$BIN/raw_exit_test"
run_both thread-generations 30 "$BIN/thread_generations_test" -g 200 -t 2
run_both slab-reuse-race 30 "$BIN/slab_reuse_race_test" -p 120
run_hak slab-reuse-race-hak 30 "$BIN/slab_reuse_race_test_hak" -p 120
run_hak slab-reuse-race-tsan 120 env TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
    "$BIN/slab_reuse_race_test_tsan" -p 12
run_both leak-cycles 30 "$BIN/leak_cycles_test" -c 100
run_both rss-return 30 "$BIN/rss_return_test" -m 500 -w 1500
run_both realloc-grow 20 "$BIN/realloc_grow_test" -m 32
run_hak realloc-grow-hak 20 "$BIN/realloc_grow_test_hak" -m 32
# Large blocks: realloc moving blocks while other threads map, zero-byte
# blocks with big alignments, allocation in late TLS destructors, requests
# larger than the machine (bad pointers to realloc: bad_free.sh).
run_both large-realloc-race 60 "$BIN/large_realloc_race_test" -n 40000
run_both aligned-zero 20 "$BIN/aligned_zero_test"
run_both borrow 20 "$BIN/borrow_test"
run_both exit-rounds-alloc 20 "$BIN/exit_rounds_alloc_test"
if [ "$(cat /proc/sys/vm/overcommit_memory)" != 1 ]; then
    run_both overcommit 20 "$BIN/overcommit_test"
else
    for t in overcommit-glibc overcommit-preload; do
        selected $t && skip $t "vm.overcommit_memory is 1: the kernel lets any request succeed, glibc's too"
    done
fi
source "$SRC/madvise_storm.sh"
source "$SRC/large_churn.sh"
source "$SRC/purge_clock.sh"
source "$SRC/address_space.sh"
source "$SRC/knobs_and_stats.sh"
source "$SRC/bad_free.sh"
source "$SRC/debug_build.sh"
source "$SRC/workloads_under_hakmem.sh"
source "$SRC/real_programs.sh"
exit 0
