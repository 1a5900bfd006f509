# Sourced by run.sh. madvise storm: a free-heavy workload (free_heavy_test)
# under strace must make far fewer madvise+munmap calls than frees: < 1%.
# An allocator that hands memory back on each free, or on each slab that
# empties, or that maps and unmaps every Large block, makes thousands.

# madvise_storm NAME [strace -E options...]
madvise_storm() {
    local name=$1
    shift
    selected "$name" || return 0
    local log=$LOGS/$name.log trace=$LOGS/$name.strace
    timeout -k 5 60 strace -f -c -e trace=madvise,munmap -o "$trace" "$@" \
        "$BIN/free_heavy_test" -r 30 >"$log" 2>&1
    local rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name" "exit $rc under strace: $(excerpt "$log")"
        return
    fi
    local frees calls
    frees=$(awk '$1 == "frees" { print $2 }' "$log")
    # strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
    calls=$(awk '$NF == "madvise" || $NF == "munmap" { n += $4 } END { print n + 0 }' "$trace")
    if [ -z "$frees" ]; then
        fail "$name" "free_heavy_test printed no free count: $(excerpt "$log")"
    elif [ $((calls * 100)) -lt "$frees" ]; then
        pass "$name"
    else
        fail "$name" "$calls madvise+munmap calls for $frees frees (limit 1%): $(tr -s ' ' <"$trace" | grep -E 'madvise|munmap' | tr '\n' ';')"
    fi
}

madvise_storm madvise-storm-glibc
if have_hak; then
    madvise_storm madvise-storm-preload -E LD_PRELOAD="$HAK_SO"
elif selected madvise-storm-preload; then
    skip madvise-storm-preload "build/libhakmem.so not built"
fi
