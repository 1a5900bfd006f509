"""Columns of the CSV files under results/<run-id>/. Writers and readers both use these lists."""

RUNS = ["run_id", "workload", "allocator", "threads", "params", "rep", "status", "exit_code",
        "ops", "seconds", "ops_per_sec", "wall_s", "user_s", "sys_s",
        "max_rss_kb", "minor_faults", "major_faults", "work_unit"]
# work_unit: what ops counts: "op" (one malloc or free, the drivers), "run" (a program that reports no work:
# ops_per_sec = 1 / wall time), "request" (redis), "work unit" (a --program's own count).

SYSCALLS = ["run_id", "workload", "allocator", "threads", "syscall", "calls"]

# source: "perf" (counted by perf stat), "unsupported" (value empty: the machine cannot count it),
# "cachegrind" (simulated by valgrind on a reduced-size run; per_op is then what matters),
# "callgrind" (allocator cost, see alloc_cost.py: events malloc_* and free_* with per_op per call of that
# function, *_calls with per_op empty, driver_instructions per op of the driver's own code).
PERF = ["run_id", "workload", "allocator", "threads", "event", "value", "per_op", "source"]

# Allocator cost per call from callgrind (alloc_cost.py); empty when not measured.
ALLOC_COST = ["instructions_per_malloc", "instructions_per_free", "d1_misses_per_malloc", "d1_misses_per_free",
              "ll_misses_per_malloc", "ll_misses_per_free", "driver_instructions_per_op"]

# ratio_vs_*: median of the per-rep ratios (this allocator's run / the other's run of the same rep), with the
# 95% bootstrap interval and verdict of hakbench.stats; ratio_of_medians_vs_*: the two independent medians
# divided (steadier ratios come from the pairs). noise: why this allocator's runs of the cell are noisy, if they are.
SUMMARY = ["run_id", "workload", "allocator", "threads", "runs", "ok_runs",
           "median_ops_per_sec", "min_ops_per_sec", "max_ops_per_sec", "noise",
           "ratio_vs_system", "ci_low_vs_system", "ci_high_vs_system", "verdict_vs_system",
           "best_peer", "ratio_vs_best_peer", "ci_low_vs_best_peer", "ci_high_vs_best_peer", "verdict_vs_best_peer",
           "ratio_of_medians_vs_system", "ratio_of_medians_vs_best_peer",
           "median_max_rss_kb", "median_minor_faults",
           "mmap", "munmap", "madvise", "mprotect", "brk", "mremap", "total_syscalls",
           "branch_misses_per_op", "branch_misses_source"] + ALLOC_COST

# One row per workload x threads x ordered pair of allocators measured in at least 2 common reps: allocator
# against versus, from the per-rep ratios (pairs of them), p_value of the paired t-test of the log ratios.
RATIOS = ["run_id", "workload", "threads", "allocator", "versus", "pairs", "ratio", "ci_low", "ci_high",
          "p_value", "verdict"]

# Syscalls always reported in syscalls.csv (0 when strace saw none), plus a "total" row.
KEY_SYSCALLS = ["mmap", "munmap", "madvise", "mprotect", "brk", "mremap"]

# Run statuses in runs.csv.
STATUS_OK = "ok"                 # exit 0 and a RESULT line
STATUS_CORRUPTION = "corruption" # the driver detected a corrupted block (exit 3)
STATUS_CRASH = "crash"           # killed by a signal (SIGSEGV, SIGABRT, ...): "crash:SIGSEGV"
STATUS_TIMEOUT = "timeout"       # killed by the harness after its time limit
STATUS_ERROR = "error"           # other non-zero exit
STATUS_NO_RESULT = "no_result"   # exit 0 but no RESULT line
