"""The CSV files the harness and compare/ write and read: each kind's columns in order, with their types.
Writers and readers both go through these declarations (csvfiles.write_all, AppendWriter, read).

A cell is text (TEXT), a whole number (INT) or a number (FLOAT). An empty cell reads as None whatever its type:
a figure that was not measured or that this machine cannot count is empty, never 0. Which of the two it is,
a text column beside it says where it matters (perf.csv's source "unsupported", summary.csv's
branch_misses_source). Any other cell that is not a number in a number column is an error naming the file,
the line and the column."""

TEXT, INT, FLOAT = str, int, float


class Schema(list):
    """One kind of CSV file: the list of its column names, in order, with

    types:    {column: TEXT, INT or FLOAT}
    optional: columns added after runs were committed (results/reference): a file without them reads them as
              None; every other column must be in the file's header
    formats:  {column: "%.4f" or a function of the value -> text} for numbers not written the default way
              (whole numbers as integers, others with 10 significant digits)
    newline:  what ends a line: the csv module's "\r\n" (results/), or "\n" (compare/'s files)"""

    def __init__(self, kind, columns, optional=(), formats=None, newline="\r\n"):
        super().__init__(name for name, _ in columns)
        self.kind, self.columns, self.newline = kind, list(columns), newline
        self.types = dict(columns)
        self.optional = frozenset(optional)
        self.formats = dict(formats or {})
        if len(self.types) != len(self):
            raise ValueError("%s: a column is declared twice" % kind)
        unknown = (self.optional | set(self.formats)) - set(self.types)
        if unknown:
            raise ValueError("%s: no column %s" % (kind, ", ".join(sorted(unknown))))

    def prefixed(self, kind, columns):
        """This schema with columns [(name, type)] in front (e.g. the machine of a merged summary)."""
        return Schema(kind, list(columns) + self.columns, self.optional, self.formats, self.newline)


# The key of a cell of the matrix, first in most files.
_CELL = [("run_id", TEXT), ("workload", TEXT), ("allocator", TEXT), ("threads", INT)]

# work_unit: what ops counts: "op" (one malloc or free, the drivers), "run" (a program that reports no work:
# ops_per_sec = 1 / wall time), "request" (redis), "work unit" (a --program's own count).
RUNS = Schema("runs.csv", _CELL + [
    ("params", TEXT), ("rep", INT), ("status", TEXT), ("exit_code", INT),
    ("ops", FLOAT), ("seconds", FLOAT), ("ops_per_sec", FLOAT), ("wall_s", FLOAT), ("user_s", FLOAT),
    ("sys_s", FLOAT), ("max_rss_kb", INT), ("minor_faults", INT), ("major_faults", INT), ("work_unit", TEXT)],
    optional=["work_unit"])

SYSCALLS = Schema("syscalls.csv", _CELL + [("syscall", TEXT), ("calls", INT)])

# source: "perf" (counted by perf stat), "unsupported" (value empty: the machine cannot count it),
# "cachegrind" (simulated by valgrind on a reduced-size run; per_op is then what matters),
# "callgrind" (allocator cost, see alloc_cost.py: events malloc_* and free_* with per_op per call of that
# function, *_calls with per_op empty, driver_instructions per op of the driver's own code).
PERF = Schema("perf.csv", _CELL + [("event", TEXT), ("value", INT), ("per_op", FLOAT), ("source", TEXT)])

# Allocator cost per call from callgrind (alloc_cost.py); empty when not measured.
ALLOC_COST = ["instructions_per_malloc", "instructions_per_free", "d1_misses_per_malloc", "d1_misses_per_free",
              "ll_misses_per_malloc", "ll_misses_per_free", "driver_instructions_per_op"]

# Syscalls always reported in syscalls.csv (0 when strace saw none), plus a "total" row.
KEY_SYSCALLS = ["mmap", "munmap", "madvise", "mprotect", "brk", "mremap"]

# ratio_vs_*: median of the per-rep ratios (this allocator's run / the other's run of the same rep), with the
# 95% bootstrap interval and verdict of hakbench.stats; ratio_of_medians_vs_*: the two independent medians
# divided (steadier ratios come from the pairs). noise: why this allocator's runs of the cell are noisy, if they are.
SUMMARY = Schema("summary.csv", _CELL + [
    ("runs", INT), ("ok_runs", INT),
    ("median_ops_per_sec", FLOAT), ("min_ops_per_sec", FLOAT), ("max_ops_per_sec", FLOAT), ("noise", TEXT),
    ("ratio_vs_system", FLOAT), ("ci_low_vs_system", FLOAT), ("ci_high_vs_system", FLOAT),
    ("verdict_vs_system", TEXT),
    ("best_peer", TEXT), ("ratio_vs_best_peer", FLOAT), ("ci_low_vs_best_peer", FLOAT),
    ("ci_high_vs_best_peer", FLOAT), ("verdict_vs_best_peer", TEXT),
    ("ratio_of_medians_vs_system", FLOAT), ("ratio_of_medians_vs_best_peer", FLOAT),
    ("median_max_rss_kb", FLOAT), ("median_minor_faults", FLOAT)]
    + [(name, INT) for name in KEY_SYSCALLS + ["total_syscalls"]]
    + [("branch_misses_per_op", FLOAT), ("branch_misses_source", TEXT)]
    + [(name, FLOAT) for name in ALLOC_COST],
    optional=ALLOC_COST)

# One row per workload x threads x ordered pair of allocators measured in at least 2 common reps: allocator
# against versus, from the per-rep ratios (pairs of them), p_value of the paired t-test of the log ratios.
RATIOS = Schema("ratios.csv", [
    ("run_id", TEXT), ("workload", TEXT), ("threads", INT), ("allocator", TEXT), ("versus", TEXT), ("pairs", INT),
    ("ratio", FLOAT), ("ci_low", FLOAT), ("ci_high", FLOAT), ("p_value", FLOAT), ("verdict", TEXT)])

# Each program's throughput relative to glibc per allocator, and the geometric mean (workload "geomean").
PROGRAMS = Schema("programs.csv", [
    ("run_id", TEXT), ("allocator", TEXT), ("workload", TEXT), ("pairs", INT), ("ratio_vs_system", FLOAT),
    ("ci_low", FLOAT), ("ci_high", FLOAT)])

# harness/merge.py: every machine's summary rows, and HAKMEM against each peer on each machine. kind: "paired"
# (median of the per-rep ratios, with its 95% interval and verdict, from the run's ratios.csv) or "medians"
# (the two medians divided: a run without ratios.csv).
_MACHINE = [("machine", TEXT), ("shard", TEXT), ("host", TEXT)]
MERGED_SUMMARY = SUMMARY.prefixed("merged summary.csv", _MACHINE)
MERGED_RATIOS = Schema("merged ratios.csv", [
    ("workload", TEXT), ("threads", INT)] + _MACHINE + [("run_id", TEXT), ("peer", TEXT),
    ("hakmem_median_ops_per_sec", FLOAT), ("peer_median_ops_per_sec", FLOAT), ("kind", TEXT), ("ratio", FLOAT),
    ("ci_low", FLOAT), ("ci_high", FLOAT), ("verdict", TEXT)])
# The same, pooled over the merged runs (each a random effect, stats.Pooled): runs = how many, run_ratios = each
# one's median per-rep ratio in measuring order, best_peer = 1 for the peer HAKMEM's pooled ratio is lowest against.
MERGED_POOLED = Schema("merged pooled.csv", [
    ("workload", TEXT), ("threads", INT), ("peer", TEXT), ("runs", INT), ("ratio", FLOAT), ("ci_low", FLOAT),
    ("ci_high", FLOAT), ("p_value", FLOAT), ("verdict", TEXT), ("best_peer", INT), ("run_ratios", TEXT)],
    formats={"ratio": "%.4f", "ci_low": "%.4f", "ci_high": "%.4f", "p_value": "%.4f"})

# compare/runs: per cell and allocator, the change (run B / run A) of its paired ratio to versus.
CHANGE = Schema("change.csv", [
    ("workload", TEXT), ("threads", INT), ("allocator", TEXT), ("versus", TEXT), ("pairs_a", INT), ("pairs_b", INT),
    ("ratio_a", FLOAT), ("ratio_b", FLOAT), ("change", FLOAT), ("ci_low", FLOAT), ("ci_high", FLOAT),
    ("p_value", FLOAT), ("verdict", TEXT)])

# compare/ab: one row per side (ab.csv), every run (ab_runs.csv), the allocator's counters (ab_counters.csv).
AB = Schema("ab.csv", [
    ("run_id", TEXT), ("mode", TEXT), ("side", TEXT), ("env", TEXT), ("allocator", TEXT), ("workload", TEXT),
    ("threads", INT), ("profile", TEXT), ("runs", INT), ("ok_runs", INT), ("median_ops_per_sec", FLOAT),
    ("q1_ops_per_sec", FLOAT), ("q3_ops_per_sec", FLOAT), ("ratio_vs_ref", FLOAT), ("ratio_ci_low", FLOAT),
    ("ratio_ci_high", FLOAT), ("p_value", FLOAT), ("verdict", TEXT), ("runs_needed", INT), ("effect", FLOAT)],
    formats={"median_ops_per_sec": "%.0f", "q1_ops_per_sec": "%.0f", "q3_ops_per_sec": "%.0f",
             "ratio_vs_ref": "%.4f", "ratio_ci_low": "%.4f", "ratio_ci_high": "%.4f", "p_value": "%.4g"}, newline="\n")
AB_RUNS = Schema("ab_runs.csv", [("run_id", TEXT), ("round", INT), ("side", TEXT), ("ops_per_sec", FLOAT)],
                 formats={"ops_per_sec": "%.0f"}, newline="\n")
AB_COUNTERS = Schema("ab_counters.csv", [("run_id", TEXT), ("side", TEXT), ("counter", TEXT), ("value", FLOAT)],
                     formats={"value": str}, newline="\n")   # a counter as HAKMEM_STATS=json gave it, every digit


def _speed(ops_per_sec):
    """A median speed for a baseline's reader: ops/s of a driver, runs (or requests) per second of a program."""
    return "%.0f" % ops_per_sec if ops_per_sec >= 1000 else "%.4f" % ops_per_sec


# The gates' baselines (compare/baseline.py: '# key: value' lines, then the CSV). compare/gate's ratio =
# median over interleaved pairs of candidate/system ops/s (baseline.csv, baseline_programs.csv);
# compare/gate_icount's instructions per op under cachegrind (baseline_icount.csv).
GATE_BASELINE = Schema("compare/gate baseline", [
    ("workload", TEXT), ("threads", INT), ("profile", TEXT), ("ratio", FLOAT), ("tolerance", FLOAT),
    ("ci_low", FLOAT), ("ci_high", FLOAT), ("pairs", INT), ("candidate_ops_per_sec", FLOAT),
    ("system_ops_per_sec", FLOAT), ("params", TEXT)],
    optional=["tolerance", "ci_low", "ci_high", "pairs", "candidate_ops_per_sec", "system_ops_per_sec", "params"],
    formats={"ratio": "%.4f", "tolerance": "%.3f", "ci_low": "%.4f", "ci_high": "%.4f",
             "candidate_ops_per_sec": _speed, "system_ops_per_sec": _speed}, newline="\n")
ICOUNT_BASELINE = Schema("compare/gate_icount baseline", [
    ("workload", TEXT), ("threads", INT), ("profile", TEXT), ("instructions", INT), ("ops", INT),
    ("instructions_per_op", FLOAT), ("driver_sha256", TEXT), ("params", TEXT)],
    optional=["instructions", "ops", "driver_sha256", "params"],
    formats={"instructions_per_op": "%.3f"}, newline="\n")

# Run statuses in runs.csv.
STATUS_OK = "ok"                 # exit 0 and a RESULT line
STATUS_CORRUPTION = "corruption" # the driver detected a corrupted block (exit 3)
STATUS_CRASH = "crash"           # killed by a signal (SIGSEGV, SIGABRT, ...): "crash:SIGSEGV"
STATUS_TIMEOUT = "timeout"       # killed by the harness after its time limit
STATUS_ERROR = "error"           # other non-zero exit
STATUS_NO_RESULT = "no_result"   # exit 0 but no RESULT line
