# Sourced by run.sh. Large-buffer churn (large_churn_test: 20 buffers of
# 5-25 MiB, one replaced by a new calloc block each step) under libhakmem
# against glibc, run back to back. Judged on figures that do not depend on
# the machine's load: libhakmem must take no more minor page faults than
# glibc (it reuses the pages of freed buffers instead of faulting in fresh
# ones), a peak RSS at most glibc's + 10%, and both must be down to 10% of
# their peak RSS right after the frees. The time is printed, not judged: it
# takes paired runs (compare/large_churn).

# result_field LOG KEY: the value of KEY= on the RESULT line of LOG.
result_field() { sed -n "s/^RESULT.* $2=\([0-9.]*\).*/\1/p" "$1"; }

large_churn_case() {
    local name=large-churn
    selected "$name" || return 0
    if ! have_hak; then
        skip "$name" "build/libhakmem.so not built"
        return
    fi
    local cmd=("$BIN/large_churn_test" -n 200 -i 1 -r 10) glibc=$LOGS/$name-glibc.log hak=$LOGS/$name-preload.log
    if ! timeout -k 5 60 "${cmd[@]}" >"$glibc" 2>&1; then
        fail "$name" "glibc run failed: $(excerpt "$glibc")"
        return
    fi
    if ! timeout -k 5 60 env LD_PRELOAD="$HAK_SO" "${cmd[@]}" >"$hak" 2>&1; then
        fail "$name" "libhakmem run failed: $(excerpt "$hak")"
        return
    fi
    local g_flt h_flt g_rss h_rss
    g_flt=$(result_field "$glibc" minflt) h_flt=$(result_field "$hak" minflt)
    g_rss=$(result_field "$glibc" peak_rss_mb) h_rss=$(result_field "$hak" peak_rss_mb)
    local figures="minor faults $h_flt (glibc $g_flt), peak RSS $h_rss MB (glibc $g_rss), seconds $(result_field "$hak" seconds) (glibc $(result_field "$glibc" seconds))"
    if [ "$h_flt" -gt "$g_flt" ]; then
        fail "$name" "more page faults than glibc: $figures"
    elif awk -v h="$h_rss" -v g="$g_rss" 'BEGIN { exit !(h > g * 1.10) }'; then
        fail "$name" "peak RSS above glibc's + 10%: $figures"
    else
        pass "$name"
        echo "  $figures" >>"$hak"
    fi
}

large_churn_case
