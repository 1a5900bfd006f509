"""CI gate on speed: is the candidate (HAKMEM) as fast as a base build measured beside it (--against), or as
fast relative to glibc malloc as the stored baseline says?

For each workload (quick profile) the candidate and system malloc run in interleaved pairs; the figure is the
median of the per-pair ratios candidate/system with a 95% bootstrap interval. A workload whose ratio fell more
than its tolerance below the baseline's is measured again with more pairs; it fails only if the new, larger
measurement confirms it (median below the limit and the interval's top below the bottom of the baseline's
own interval: a baseline measured in few pairs is itself uncertain, and a gate that took it as exact would
fail honest code whenever the baseline happened to come out high).

A workload's tolerance is --tolerance, or more when its ratio drifts more: --update-baseline splits its pairs
into three blocks of consecutive rounds and records twice the largest deviation of a block's median from the
overall median (at most 0.4) in the baseline's tolerance column. On a shared machine some ratios move with the
load (glibc's speed on mid_large_mt does), and a gate tighter than that drift would raise false alarms.

With --against REV the gate holds on any machine: it builds HAKMEM at revision REV (see base_build.py) and
runs the candidate and that build in interleaved pairs on this machine; the figure is the median of the per-pair
ratios candidate/base, and a workload fails only when a second, larger measurement confirms it more than the
tolerance (default 5%) below 1 with its whole interval below 1. No stored ratio is involved, so a machine whose
glibc is faster or slower than the lab's gates as well as the lab. Each round runs fresh copies of both
libraries at paths of one length (libraries.RoundCopies), and a base that is the candidate's very machine code
(a commit that did not touch the allocator) is not measured at all: the gate passes, saying so, unless
--measure-identical asks for that A/A run. --against also takes an allocator (NAME or NAME=/path/lib.so) as
the base. The stored-ratio mode (no --against) remains for a fixed lab machine.

Exit 0: every workload within tolerance. 1: a regression (or a run that failed). 2: bad usage, a missing or
malformed baseline, or a base revision that is unknown or does not build.
"""
import argparse
import dataclasses
import os
import sys

from hakbench import allocators, meta, stats, workloads
from hakbench.allocators import REPO
from hakbench.compare import base_build, baseline, gating, libraries, measure
from hakbench.schema import GATE_BASELINE

DEFAULT_BASELINE = os.path.join(REPO, "compare", "baseline.csv")
PROFILE = "quick"
MAX_TOLERANCE = 0.4
STORED_TOLERANCE = 0.10
# Candidate and base are both HAKMEM, measured side by side: their ratio does not drift with the machine's
# speed state, so a tighter tolerance than the stored mode's holds (see the README for the honest runs).
AGAINST_TOLERANCE = 0.05
MIN_BLOCK = 5  # pairs per block below which the drift is not estimated
TITLE = ("compare/gate baseline: ratio = median over interleaved pairs of candidate/system ops/s "
         "(quick profile); written by compare/gate --update-baseline")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="compare/gate", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="exit status: 0 pass, 1 regression or failed run, 2 bad usage or baseline")
    p.add_argument("--baseline", default=DEFAULT_BASELINE, help="baseline CSV (default compare/baseline.csv)")
    p.add_argument("--against", metavar="REV|ALLOCATOR",
                   help="measure against HAKMEM built at git revision REV (e.g. HEAD~1), or against an allocator "
                        "(NAME or NAME=/path/lib.so), on this machine, instead of the stored baseline ratio")
    p.add_argument("--tolerance", type=float, default=None,
                   help="allowed relative drop of the ratio below the baseline's (default 0.10; a workload whose "
                        "baseline records a larger drift tolerance gets that); with --against, below 1 "
                        "(default %.2f)" % AGAINST_TOLERANCE)
    p.add_argument("--reps", type=int, default=15, help="pairs per workload in the first pass (default 15)")
    p.add_argument("--recheck-reps", type=int, default=None,
                   help="pairs when re-measuring a suspected regression, and for --update-baseline "
                        "(default 3 x --reps)")
    p.add_argument("--workloads", help="comma-separated subset (default: every workload of the baseline)")
    p.add_argument("--threads", type=int, default=None,
                   help="with --update-baseline or --against: threads of the threaded workloads (default 2)")
    p.add_argument("--candidate", default="hakmem",
                   help="allocator gated against system malloc: a known name or NAME=/path/lib.so (default hakmem)")
    p.add_argument("--update-baseline", action="store_true", help="measure and write the baseline, then exit 0")
    p.add_argument("--measure-identical", action="store_true",
                   help="with --against: measure even when the candidate and the base are the same machine code "
                        "(an A/A run: how far this machine moves identical code)")
    p.add_argument("--timeout", type=float, default=measure.RUN_TIMEOUT_S, help="seconds per run")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    if args.reps < 2 or (args.recheck_reps is not None and args.recheck_reps < 2):
        p.error("--reps and --recheck-reps must be >= 2")
    if args.tolerance is None:
        args.tolerance = AGAINST_TOLERANCE if args.against else STORED_TOLERANCE
    if not 0 < args.tolerance < 1:
        p.error("--tolerance must be between 0 and 1")
    if args.against and (args.update_baseline or args.baseline != DEFAULT_BASELINE):
        p.error("--against measures its own base: it takes no --baseline or --update-baseline")
    if args.measure_identical and not args.against:
        p.error("--measure-identical goes with --against")
    if args.threads is not None and (args.threads < 1 or not (args.update_baseline or args.against)):
        p.error("--threads takes a count >= 1 and goes with --update-baseline or --against")
    if args.recheck_reps is None:
        args.recheck_reps = 3 * args.reps
    try:
        args.workloads = measure.parse_workloads(args.workloads) if args.workloads else None
        args.candidate = measure.resolve_one(args.candidate)
    except ValueError as e:
        p.error(str(e))
    return args


def say(args, text):
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def measure_cells(args, cells, pairs, what, reference):
    """Interleaved pairs of the candidate and the reference Side (labelled "reference") for every
    (workload, threads) cell, rounds outermost so that each workload's pairs are spread over the whole measurement.
    Returns ({cell: [candidate/reference ratio]}, {cell: (candidate ops, reference ops)}, [failure lines])."""
    sides = [measure.Side("candidate", args.candidate), reference]
    data = {cell: {side.label: [] for side in sides} for cell in cells}
    failures = []
    cell_jobs = {}
    for cell in cells:
        try:
            cell_jobs[cell] = measure.job(cell[0], cell[1], PROFILE, args.timeout)
        except ValueError as e:
            failures.append("%s (threads=%d): %s" % (cell[0], cell[1], e))
    # Two libraries run from fresh copies each round (libraries.RoundCopies); system malloc preloads nothing.
    copies = libraries.RoundCopies([s.alloc.path for s in sides]) if all(s.alloc.path for s in sides) else None
    try:
        for round_no in range(pairs):
            if copies:
                sides = [measure.Side(s.label, dataclasses.replace(s.alloc, path=path), s.overrides)
                         for s, path in zip(sides, copies.copy(round_no))]
            for cell in cell_jobs:
                samples, failed = measure.interleave(sides, cell_jobs[cell], 1, timeout=args.timeout,
                                                     first_round=round_no)
                for label in samples:
                    data[cell][label].extend(samples[label])
                failures += ["%s (threads=%d): %s" % (cell[0], cell[1], f) for f in failed]
            say(args, "%s: round %d/%d" % (what, round_no + 1, pairs))
    finally:
        if copies:
            copies.close()
    ratios, medians = {}, {}
    for cell in cells:
        ok = measure.complete_rounds(data[cell], ["candidate", "reference"])
        ratios[cell] = stats.pair_ratios(ok["candidate"], ok["reference"])
        medians[cell] = (stats.median(ok["candidate"]) if ok["candidate"] else None,
                         stats.median(ok["reference"]) if ok["reference"] else None)
    return ratios, medians, failures


def system_side():
    return measure.Side("reference", measure.resolve_one("system"))


def all_cells(args):
    """The cells measured when no baseline names them: the chosen workloads, threaded ones at --threads (2)."""
    return [(w, measure.threads_of(w, args.threads)) for w in (args.workloads or workloads.NAMES)]


def update(args):
    cells = all_cells(args)
    ratios, medians, failures = measure_cells(args, cells, args.recheck_reps, "baseline", system_side())
    if failures:
        print("gate: not writing a baseline, runs failed:\n  " + "\n  ".join(failures))
        return 1
    rows = []
    for cell in cells:
        low, high = stats.bootstrap_median_ci(ratios[cell])
        rows.append({"workload": cell[0], "threads": cell[1], "profile": PROFILE,
                     "ratio": stats.median(ratios[cell]),
                     "tolerance": drift_tolerance(ratios[cell], args.tolerance),
                     "ci_low": low, "ci_high": high,
                     "pairs": len(ratios[cell]), "candidate_ops_per_sec": medians[cell][0],
                     "system_ops_per_sec": medians[cell][1],
                     "params": measure.CATALOG.job(cell[0], cell[1], PROFILE, measure.SEED).params})
    baseline.write(args.baseline, TITLE, gating.new_meta("gate", args.candidate, {}), GATE_BASELINE, rows)
    print("gate: wrote %s" % args.baseline)
    print_table([(row["workload"], row["threads"], None, row["ratio"], (row["ci_low"], row["ci_high"]), row["pairs"],
                  "tolerance %.3f" % row["tolerance"]) for row in rows])
    for row in rows:
        if row["tolerance"] >= MAX_TOLERANCE:
            print("gate: warning: %s's ratio drifts by %d%% or more within one measurement: its gate is weak"
                  % (row["workload"], 50 * MAX_TOLERANCE))
    return 0


def drift_tolerance(ratios, floor):
    """max(floor, twice the drift of the ratios over the three thirds of the measurement), at most
    MAX_TOLERANCE: how far the ratio wanders while the machine's conditions change."""
    return min(MAX_TOLERANCE, max(floor, 2 * stats.block_drift(ratios, 3, MIN_BLOCK)))


def print_table(lines):
    print("%-14s %7s %9s %9s %17s %6s %8s  %s" % ("workload", "threads", "baseline", "current", "95% CI",
                                                   "pairs", "change", "verdict"))
    for workload, threads, base, current, ci, pairs, verdict in lines:
        measured = current is not None
        change = "%+.1f%%" % (100 * (current / base - 1)) if base and measured else ""
        print("%-14s %7d %9s %9s %17s %6d %8s  %s" % (workload, threads, "%.3f" % base if base else "-",
                                                       "%.3f" % current if measured else "-",
                                                       "[%.3f, %.3f]" % ci if measured else "-", pairs, change, verdict))


REGRESSED = "REGRESSED (confirmed by a second measurement)"


def judge(current, ci, base, base_low, tolerance, rechecked, faster):
    """Verdict on a workload's ratio: only a second measurement (rechecked) can confirm a regression, and
    only when its median is below the limit and its interval lies wholly below base_low, the bottom of the
    baseline's interval (the baseline ratio itself when it is exact, as with --against).
    faster: the verdict when the ratio is more than the tolerance above the baseline's."""
    limit = base * (1 - tolerance)
    if rechecked and current < limit and ci[1] < base_low:
        return REGRESSED
    if rechecked:
        return "ok (suspect in the first pass, not confirmed by the second)"
    if current < limit:
        return "suspect"  # first pass only: the caller measures it again
    if current > base * (1 + tolerance):
        return faster
    return "ok"


def gate(args):
    recorded, rows = gating.rows_to_check("gate", args.baseline, GATE_BASELINE, ["ratio"], args.workloads,
                                          args.candidate, PROFILE)
    if rows is None:
        return gating.EXIT_USAGE
    for line in gating.differences(recorded, meta.machine_description()):
        print("gate: note: measured on another machine (%s); ratios may differ" % line)

    cells = [(row["workload"], row["threads"]) for row in rows]
    base = {(row["workload"], row["threads"]): row["ratio"] for row in rows}
    base_low = {(row["workload"], row["threads"]): min(row["ratio"], row["ci_low"] or row["ratio"]) for row in rows}
    tolerance = {(row["workload"], row["threads"]): max(args.tolerance, row["tolerance"] or 0) for row in rows}
    print("gate: %s vs system malloc, %s profile, %d pairs per workload, tolerance %.0f%% (or the baseline's)"
          % (args.candidate.name, PROFILE, args.reps, 100 * args.tolerance))
    return check(args, cells, base, base_low, tolerance, system_side(),
                 "ok, faster than the baseline (consider --update-baseline)")


def against(args):
    """Gate the candidate against a base measured here: HAKMEM at a revision, or an allocator."""
    spec = args.against
    try:
        if "=" in spec or spec in allocators.DEFAULT_ORDER:
            alloc, what = measure.resolve_one(spec), spec
        else:
            sha, lib = base_build.library(spec, lambda text: say(args, "gate: " + text))
            alloc, what = measure.resolve_one("base=" + lib), "HAKMEM at %s (%s)" % (spec, sha[:12])
    except (ValueError, base_build.BaseBuildError) as e:
        print("gate: --against %s: %s" % (spec, e), file=sys.stderr)
        return gating.EXIT_USAGE
    cells = all_cells(args)
    if not args.measure_identical and libraries.same_code(args.candidate.path, alloc.path):
        print("gate: %s and %s are the same machine code (equal once debug info, symbols and build id are "
              "stripped): nothing to gate (--measure-identical measures them anyway)" % (args.candidate.name, what))
        print("gate: PASS")
        return 0
    print("gate: %s vs %s on this machine, %s profile, %d pairs per workload, fails below %.2f"
          % (args.candidate.name, what, PROFILE, args.reps, 1 - args.tolerance))
    exact = {cell: 1.0 for cell in cells}
    return check(args, cells, exact, exact, {cell: args.tolerance for cell in cells},
                 measure.Side("reference", alloc), "ok, faster than the base")


def check(args, cells, base, base_low, tolerance, reference, faster):
    """Measure every cell against reference, recheck the suspects, print the table and conclude: the exit status.
    base: {cell: expected candidate/reference ratio}; base_low: {cell: the bottom of its interval};
    tolerance: {cell: allowed relative drop below it};
    faster: the verdict of a ratio well above base."""
    ratios, _, failures = measure_cells(args, cells, args.reps, "gate", reference)
    limit = {cell: base[cell] * (1 - tolerance[cell]) for cell in cells}
    suspects = [c for c in cells if ratios[c] and stats.median(ratios[c]) < limit[c]]
    rechecked = {}
    if suspects:
        say(args, "gate: suspected regression in %s: measuring again with %d pairs"
            % (", ".join(c[0] for c in suspects), args.recheck_reps))
        rechecked, _, more_failures = measure_cells(args, suspects, args.recheck_reps, "recheck", reference)
        failures += more_failures

    lines, regressions = [], []
    for cell in cells:
        sample = rechecked.get(cell, ratios[cell])
        if len(sample) < 2:
            lines.append((cell[0], cell[1], base[cell], None, None, len(sample), "NO DATA"))
            continue
        current, ci = stats.median(sample), stats.bootstrap_median_ci(sample)
        verdict = judge(current, ci, base[cell], base_low[cell], tolerance[cell], cell in rechecked, faster)
        if verdict == REGRESSED:
            regressions.append("%s (threads=%d): baseline ratio %.3f, current %.3f (95%% CI %.3f-%.3f), "
                               "limit %.3f" % (cell[0], cell[1], base[cell], current, ci[0], ci[1], limit[cell]))
        lines.append((cell[0], cell[1], base[cell], current, ci, len(sample), verdict))
    print_table(lines)
    failures += ["%s (threads=%d): fewer than 2 complete pairs" % line[:2] for line in lines if line[-1] == "NO DATA"]
    return gating.conclude("gate", args.candidate, failures, regressions)


def main(argv):
    args = parse_args(argv)
    if args.against:
        return against(args)
    return update(args) if args.update_baseline else gate(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
