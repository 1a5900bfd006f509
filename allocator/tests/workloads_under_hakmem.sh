# Sourced by run.sh: the harness's four workload drivers against libhakmem.
# Each driver checks every block's tag before freeing it (exit 3 on corruption).
# Against glibc and under LD_PRELOAD, at small sizes; mid_large_mt and larson
# with 2 threads so that blocks are freed by threads that did not allocate them.
WL=$TOP/build/workloads
run_both workload-random_mixed 60 "$WL/random_mixed" --iterations=300000 --ws=4096 --min=1 --max=70000
run_both workload-tiny_hot 60 "$WL/tiny_hot" --cycles=5000
run_both workload-mid_large_mt-cross-free 60 "$WL/mid_large_mt" --threads=2 --cycles=50000 --cross-free=0.25
run_both workload-larson 60 "$WL/larson" 0.5 16 4096 500 50 7 2

# The matrix of run_all.sh, reduced: hakmem is a row like any other, every run ok.
if selected workload-matrix && have_hak && [ -z "${ALLOC_SO:-}" ]; then
    log=$LOGS/workload-matrix.log
    if timeout 300 "$PY" "$TOP/harness/run_matrix.py" --allocators=system,hakmem --profile=tiny --reps=1 \
            --no-strace --no-perf --out="$WORK/matrix" --run-id=wl >"$log" 2>&1; then
        bad=$("$PY" - "$WORK/matrix/wl/runs.csv" <<'PYEOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["allocator"] == "hakmem"]
bad = [f"{r['workload']}/t{r['threads']}:{r['status']}" for r in rows if r["status"] != "ok"]
print(" ".join(bad) if rows else "no hakmem rows")
PYEOF
)
        if [ -z "$bad" ]; then pass workload-matrix; else fail workload-matrix "hakmem runs not ok: $bad"; fi
    else
        fail workload-matrix "run_matrix.py failed: $(excerpt "$log")"
    fi
fi
