# Sourced by run.sh. Bad free under libhakmem: each case of bad_free_test
# must abort (SIGABRT) after printing `hakmem: free(): invalid pointer 0x...`
# (a double free may say `double free 0x...`; the large-* cases name realloc
# or malloc_usable_size instead of free) with the address it was given.

bad_free_case() {
    local kind=$1 name=bad-free-$1
    selected "$name" || return 0
    if ! have_hak; then
        skip "$name" "build/libhakmem.so not built"
        return
    fi
    local out=$LOGS/$name.out err=$LOGS/$name.err
    # In a subshell that does not exec, so that bash's own "Aborted" notice is dropped.
    (timeout -k 5 20 env LD_PRELOAD="$HAK_SO" "$BIN/bad_free_test" "$kind" >"$out" 2>"$err"; exit $?) 2>/dev/null
    local rc=$?
    local ptr msg fn words="invalid pointer"
    [[ $kind == double-* || $kind == *-freed ]] && words="invalid pointer|double free"
    ptr=$(awk '$1 == "ptr" { print $2 }' "$out")
    fn=$(awk '$1 == "call" { print $2 }' "$out")
    fn=${fn:-free}
    msg=$(grep -m1 -oE "hakmem: $fn\(\): ($words) 0x[0-9a-fA-F]+" "$err")
    if [ -z "$ptr" ]; then
        fail "$name" "bad_free_test did not get to the bad free (exit $rc): $(excerpt "$err")"
    elif [ $rc -ne 134 ]; then
        fail "$name" "$fn($ptr) did not abort (exit $rc, want 134 = SIGABRT): $(excerpt "$out" 1) $(excerpt "$err" 2)"
    elif [ -z "$msg" ]; then
        fail "$name" "aborted without 'hakmem: $fn(): $words 0x...' on stderr: $(excerpt "$err" 2)"
    elif [ $((${msg##* })) -ne $((ptr)) ]; then
        fail "$name" "message names ${msg##* }, the bad pointer was $ptr"
    else
        pass "$name"
    fi
}

for kind in stack foreign-mmap interior \
    large-realloc-interior large-realloc-interior-grow large-usable-interior large-realloc-freed; do
    bad_free_case $kind
done
for size in tiny mid large; do
    for variant in "" -nonadjacent -flushed; do
        bad_free_case double-$size$variant
    done
done
bad_free_case double-borrowed
