"""Columns of the CSV files under results/<run-id>/. Writers and readers both use these lists."""

RUNS = ["run_id", "workload", "allocator", "threads", "params", "rep", "status", "exit_code",
        "ops", "seconds", "ops_per_sec", "wall_s", "user_s", "sys_s",
        "max_rss_kb", "minor_faults", "major_faults"]

SYSCALLS = ["run_id", "workload", "allocator", "threads", "syscall", "calls"]

# source: "perf" (counted by perf stat), "unsupported" (value empty: the machine cannot count it),
# "cachegrind" (simulated by valgrind on a reduced-size run; per_op is then what matters).
PERF = ["run_id", "workload", "allocator", "threads", "event", "value", "per_op", "source"]

SUMMARY = ["run_id", "workload", "allocator", "threads", "runs", "ok_runs",
           "median_ops_per_sec", "min_ops_per_sec", "max_ops_per_sec",
           "ratio_vs_system", "ratio_vs_best_peer", "best_peer",
           "median_max_rss_kb", "median_minor_faults",
           "mmap", "munmap", "madvise", "mprotect", "brk", "mremap", "total_syscalls",
           "branch_misses_per_op", "branch_misses_source"]

# Syscalls always reported in syscalls.csv (0 when strace saw none), plus a "total" row.
KEY_SYSCALLS = ["mmap", "munmap", "madvise", "mprotect", "brk", "mremap"]

# Run statuses in runs.csv.
STATUS_OK = "ok"                 # exit 0 and a RESULT line
STATUS_CORRUPTION = "corruption" # the driver detected a corrupted block (exit 3)
STATUS_CRASH = "crash"           # killed by a signal (SIGSEGV, SIGABRT, ...): "crash:SIGSEGV"
STATUS_TIMEOUT = "timeout"       # killed by the harness after its time limit
STATUS_ERROR = "error"           # other non-zero exit
STATUS_NO_RESULT = "no_result"   # exit 0 but no RESULT line
