# Sourced by run.sh. libhakmem must not need much address space or static
# TLS of its own: programs run under a small `ulimit -v` (preloaded, and
# linked with libhakmem.a, where a large .bss fails at exec), and
# libhakmem.so loads with dlopen into a running program.
# A command prefix: what follows runs with at most 250000 KiB of address space.
ADDRESS_LIMITED=(/bin/bash -c 'ulimit -v 250000 && exec "$@"' bash)

run_test ulimit-v-glibc 30 "${ADDRESS_LIMITED[@]}" "$BIN/stats_probe"

# Preloaded: ld.so skips a preload it cannot map and runs the program on
# glibc, so the stats line at exit is the proof that libhakmem was in use.
name=ulimit-v-preload
if selected $name; then
    if have_hak; then
        timeout -k 5 30 env LD_PRELOAD="$HAK_SO" HAKMEM_STATS=json "${ADDRESS_LIMITED[@]}" "$BIN/stats_probe" \
            >"$LOGS/$name.out" 2>"$LOGS/$name.err"
        rc=$?
        if [ $rc -ne 0 ]; then
            fail $name "stats_probe exit $rc: $(excerpt "$LOGS/$name.err")"
        elif ! grep -q '^{"hakmem_stats":' "$LOGS/$name.err"; then
            fail $name "libhakmem was not in use (no HAKMEM_STATS line): $(excerpt "$LOGS/$name.err")"
        else
            pass $name
        fi
    else
        skip $name "build/libhakmem.so not built"
    fi
fi
run_hak ulimit-v-hak 30 "${ADDRESS_LIMITED[@]}" "$BIN/realloc_grow_test_hak" -m 32

if have_hak; then
    run_test dlopen 20 "$BIN/dlopen_test" "$HAK_SO"
elif selected dlopen; then
    skip dlopen "build/libhakmem.so not built"
fi
