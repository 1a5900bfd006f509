# Sourced by run.sh. The purge clock is CLOCK_MONOTONIC in ms, kept in 32
# bits: purge_delay_test must pass whatever that clock reads. This machine's
# uptime is small, so a time namespace (unshare --time, root only) moves the
# clock into the window where the low 32 bits of the ms count are >= 2^31
# (uptimes of 24.9-49.7 days, and every other such window after).

# The whole seconds to add to CLOCK_MONOTONIC so that its ms count mod 2^32 lands mid-window, at 3 * 2^30.
purge_clock_offset() {
    $PY -c 'import time; now = int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000)
print(((3 << 30) - now) % (1 << 32) // 1000)'
}

purge_clock_test() {
    local name=$1
    shift
    selected "$name" || return 0
    local offset why
    offset=$(purge_clock_offset)
    if ! why=$(unshare --time --monotonic "$offset" true 2>&1); then
        skip "$name" "unshare --time not permitted here: $why"
        return
    fi
    run_test "$name" 30 "$(command -v unshare)" --time --monotonic "$offset" "$@" "$BIN/purge_delay_test" -w 1500
}

run_both purge-delay 30 "$BIN/purge_delay_test" -w 1500
purge_clock_test purge-clock-wrap-glibc
if have_hak; then
    purge_clock_test purge-clock-wrap-preload env LD_PRELOAD="$HAK_SO"
elif selected purge-clock-wrap-preload; then
    skip purge-clock-wrap-preload "build/libhakmem.so not built"
fi
