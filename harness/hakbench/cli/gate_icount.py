"""Deterministic CI gate: instructions per op of the candidate (HAKMEM) on each workload, counted by valgrind.

Each workload runs once at the "tiny" profile under `valgrind --tool=cachegrind --cache-sim=no`; the figure is
the program's total instruction count divided by the ops of its RESULT line. The count does not depend on the
machine's load, so the tolerance can be tight (3%). It does depend on the binaries: the baseline records gcc,
glibc and valgrind versions and each driver's hash, and the gate says when they differ. larson is left out:
it runs for a fixed time, and two runs of it differ by 15-60% in instructions per op.

Exit 0: every workload within tolerance. 1: more instructions per op than the baseline allows (or a run that
failed). 2: bad usage or a missing or malformed baseline.
"""
import argparse
import hashlib
import os
import sys
import tempfile

from hakbench import counters, meta, workloads
from hakbench.allocators import REPO
from hakbench.compare import baseline, gating, measure
from hakbench.schema import ICOUNT_BASELINE

DEFAULT_BASELINE = os.path.join(REPO, "compare", "baseline_icount.csv")
PROFILE = "tiny"
WORKLOADS = [w for w in workloads.NAMES if w != "larson"]  # larson: time-bound, count not stable
TITLE = ("compare/gate_icount baseline: instructions per op under valgrind cachegrind (tiny profile); "
         "written by compare/gate_icount --update-baseline")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="compare/gate_icount", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="exit status: 0 pass, 1 regression or failed run, 2 bad usage or baseline")
    p.add_argument("--baseline", default=DEFAULT_BASELINE, help="baseline CSV (default compare/baseline_icount.csv)")
    p.add_argument("--tolerance", type=float, default=0.03,
                   help="allowed relative rise of instructions per op (default 0.03)")
    p.add_argument("--workloads", help="comma-separated subset of %s (default: the baseline's)" % ",".join(WORKLOADS))
    p.add_argument("--candidate", default="hakmem",
                   help="allocator counted: a known name or NAME=/path/lib.so (default hakmem)")
    p.add_argument("--update-baseline", action="store_true", help="count and write the baseline, then exit 0")
    p.add_argument("--timeout", type=float, default=600, help="seconds per valgrind run (default 600)")
    args = p.parse_args(argv)
    if not 0 < args.tolerance < 1:
        p.error("--tolerance must be between 0 and 1")
    try:
        args.workloads = measure.parse_workloads(args.workloads) if args.workloads else None
        if args.workloads and "larson" in args.workloads:
            raise ValueError("larson is not gated on instructions: it is time-bound, its count per op is not stable")
        if args.workloads and set(args.workloads) - set(WORKLOADS):
            raise ValueError("gate_icount gates the drivers %s only" % ", ".join(WORKLOADS))
        args.candidate = measure.resolve_one(args.candidate)
    except ValueError as e:
        p.error(str(e))
    return args


def driver_hash(workload):
    with open(workloads.binary(workload), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def count(args, workload, threads):
    """(instructions, ops) of one run under cachegrind, or (None, failure text)."""
    side = measure.Side(args.candidate.name, args.candidate)
    with tempfile.NamedTemporaryFile(prefix="cachegrind.", dir="/tmp") as out:
        def under_cachegrind(argv, env):
            return counters.cachegrind_command(argv, out.name, branch_sim=False), env

        ops_per_sec, outcome = measure.run_once(side, measure.job(workload, threads, PROFILE), timeout=args.timeout,
                                                wrap=under_cachegrind)
        if ops_per_sec is None:
            return None, str(measure.Failure(args.candidate.name, 0, outcome))
        try:
            return counters.cachegrind_totals(out.read().decode())["Ir"], int(outcome.result["ops"])
        except (ValueError, KeyError) as e:
            return None, "cachegrind wrote no instruction count: %s" % e


def measure_all(args, cells):
    """{cell: (instructions, ops)} and failure lines."""
    counts, failures = {}, []
    for cell in cells:
        instructions, ops = count(args, *cell)
        if instructions is None:
            failures.append("%s (threads=%d): %s" % (cell[0], cell[1], ops))
        else:
            counts[cell] = (instructions, ops)
        print("counted %s: %s" % (cell[0], "%.1f instructions/op" % (instructions / ops) if instructions else "FAILED"),
              file=sys.stderr, flush=True)
    return counts, failures


def update(args):
    cells = [(w, 2 if w in workloads.THREADED else 1) for w in (args.workloads or WORKLOADS)]
    counts, failures = measure_all(args, cells)
    if failures:
        print("gate_icount: not writing a baseline, runs failed:\n  " + "\n  ".join(failures))
        return 1
    rows = [{"workload": w, "threads": t, "profile": PROFILE, "instructions": counts[(w, t)][0],
             "ops": counts[(w, t)][1], "instructions_per_op": counts[(w, t)][0] / counts[(w, t)][1],
             "driver_sha256": driver_hash(w), "params": workloads.params_string(w, t, PROFILE)}
            for w, t in cells]
    baseline.write(args.baseline, TITLE, gating.new_meta("gate_icount", args.candidate, meta.toolchain()),
                   ICOUNT_BASELINE, rows)
    print("gate_icount: wrote %s" % args.baseline)
    for row in rows:
        print("%-14s threads=%d  %.3f instructions/op" % (row["workload"], row["threads"], row["instructions_per_op"]))
    return 0


def gate(args):
    recorded, rows = gating.rows_to_check("gate_icount", args.baseline, ICOUNT_BASELINE, ["instructions_per_op"],
                                          args.workloads, args.candidate, PROFILE)
    if rows is None:
        return gating.EXIT_USAGE
    for line in gating.differences(recorded, meta.toolchain()):
        print("gate_icount: note: toolchain differs from the baseline's, counts may move for that reason: " + line)
    for row in rows:
        if row.get("driver_sha256") != driver_hash(row["workload"]):
            print("gate_icount: note: build/workloads/%s is not the binary the baseline counted" % row["workload"])

    cells = [(row["workload"], row["threads"]) for row in rows]
    base_per_op = {(row["workload"], row["threads"]): row["instructions_per_op"] for row in rows}
    print("gate_icount: %s, %s profile under cachegrind, tolerance %.1f%%"
          % (args.candidate.name, PROFILE, 100 * args.tolerance))
    counts, failures = measure_all(args, cells)
    print("%-14s %7s %14s %14s %8s  %s" % ("workload", "threads", "baseline/op", "current/op", "change", "verdict"))
    regressions = []
    for cell in cells:
        base = base_per_op[cell]
        if cell not in counts:
            continue
        current = counts[cell][0] / counts[cell][1]
        if current > base * (1 + args.tolerance):
            verdict = "REGRESSED"
            regressions.append("%s (threads=%d): %.1f instructions/op, baseline %.1f, limit %.1f"
                               % (cell[0], cell[1], current, base, base * (1 + args.tolerance)))
        elif current < base * (1 - args.tolerance):
            verdict = "ok, fewer instructions than the baseline (consider --update-baseline)"
        else:
            verdict = "ok"
        print("%-14s %7d %14.1f %14.1f %+7.1f%%  %s" % (cell[0], cell[1], base, current,
                                                         100 * (current / base - 1), verdict))
    return gating.conclude("gate_icount", args.candidate, failures, regressions)


def main(argv):
    args = parse_args(argv)
    return update(args) if args.update_baseline else gate(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
