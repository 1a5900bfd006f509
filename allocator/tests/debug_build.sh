# Sourced by run.sh. The HAKMEM_DEBUG build (make debug: build/debug/) runs
# the stress, fork and thread-churn tests with its slab state checks; a
# broken cache link must trip a check; the release library has no checks.
DEBUG_SO=$TOP/build/debug/libhakmem.so

# run_debug NAME SECONDS PROG ARGS...: under LD_PRELOAD of the debug build.
run_debug() {
    local name=$1 limit=$2
    shift 2
    if [ -f "$DEBUG_SO" ]; then
        run_test "$name" "$limit" env LD_PRELOAD="$DEBUG_SO" "$@"
    elif selected "$name"; then
        skip "$name" "build/debug/libhakmem.so not built (make debug)"
    fi
}

run_debug stress-debug 120 "$BIN/stress_test" -t 4 -g 10 -n 20000
run_debug fork-debug 120 "$BIN/fork_test" -f 10
run_debug thread-generations-debug 120 "$BIN/thread_generations_test" -g 200 -t 2
run_debug slab-reuse-race-debug 60 "$BIN/slab_reuse_race_test" -p 120
run_debug leak-cycles-debug 60 "$BIN/leak_cycles_test" -c 100

if selected debug-check-fires; then
    if [ ! -f "$DEBUG_SO" ]; then
        skip debug-check-fires "build/debug/libhakmem.so not built (make debug)"
    else
        err=$LOGS/debug-check-fires.err
        (timeout -k 5 20 env LD_PRELOAD="$DEBUG_SO" "$BIN/debug_check_test" >"$err" 2>&1; exit $?) 2>/dev/null
        rc=$?
        if [ $rc -ne 134 ] || ! grep -q '^hakmem: assertion failed: .*thread_cache\.c:[0-9]*: hk_debug_walk' "$err"; then
            fail debug-check-fires "want SIGABRT (134) after 'hakmem: assertion failed: ...thread_cache.c:N: hk_debug_walk...', got exit $rc: $(excerpt "$err" 2)"
        else
            pass debug-check-fires
        fi
    fi
fi

if selected debug-checks-release-free; then
    if [ ! -f "$HAK_A" ] || [ ! -f "$TOP/build/debug/libhakmem.a" ]; then
        skip debug-checks-release-free "build/libhakmem.a or build/debug/libhakmem.a not built"
    else
        rel=$(nm "$HAK_A" | grep -cE ' [TU] (hk_assert_fail|hk_debug_)')
        dbg=$(nm "$TOP/build/debug/libhakmem.a" | grep -cE ' T (hk_assert_fail|hk_debug_)')
        if [ "$rel" -ne 0 ] || [ "$dbg" -eq 0 ]; then
            fail debug-checks-release-free "check symbols: $rel in build/libhakmem.a (want 0), $dbg in the debug build (want > 0)"
        else
            pass debug-checks-release-free
        fi
    fi
fi
