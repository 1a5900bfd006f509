"""Large-buffer churn, allocators side by side in paired runs: build/tests/large_churn_test (20 buffers of 5-25 MiB,
one replaced by a new calloc block each step, every page written; then all freed).

  compare/large_churn [--allocators system,hakmem] [--reps 10] [--steps 300]

The allocators run alternately, the order changed every round (a Williams design, stats.run_order). Printed per allocator: the medians of the churn's
seconds, minor page faults, peak RSS and RSS right after the frees; against the first allocator: the median of the
per-round time ratios (other / first: below 1 is faster) with its 95% bootstrap interval, the paired t-test's
p-value and the verdict (a difference is claimed only when the interval excludes 1 and p < 0.05). Exit 0 when the
comparison was made, 1 when failed runs left fewer than 2 complete rounds, 2 on bad usage.
"""
import argparse
import os
import sys

from hakbench import jobs, stats
from hakbench.allocators import REPO
from hakbench.compare import measure

PROGRAM = os.path.join(REPO, "build", "tests", "large_churn_test")
FIGURES = [("seconds", "s"), ("minflt", "minor faults"), ("peak_rss_mb", "peak RSS MB"),
           ("rss_after_free_mb", "RSS after frees MB")]


def parse_args(argv):
    p = argparse.ArgumentParser(prog="compare/large_churn", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--allocators", default="system,hakmem",
                   help="comma-separated known names or NAME=/path/lib.so; the first is the reference")
    p.add_argument("--reps", type=int, default=10, help="rounds (default 10)")
    p.add_argument("--steps", type=int, default=300, help="buffers replaced per run (default 300)")
    args = p.parse_args(argv)
    if args.reps < 2 or args.steps < 1:
        p.error("--reps must be at least 2 and --steps at least 1")
    try:
        args.allocators = [measure.resolve_one(name) for name in args.allocators.split(",") if name]
    except ValueError as e:
        p.error(str(e))
    if len(args.allocators) < 2:
        p.error("--allocators needs two allocators at least")
    if not os.access(PROGRAM, os.X_OK):
        p.error("%s is not built: run make test or make -C allocator/tests" % PROGRAM)
    return args


def main(argv):
    args = parse_args(argv)
    sides = [measure.Side(a.name, a) for a in args.allocators]
    command = jobs.CommandJob([PROGRAM, "-n", str(args.steps)])
    runs = {side.label: [] for side in sides}  # per round: the RESULT fields, or None
    for round_no in range(args.reps):
        shift = round_no % len(sides)
        for side in sides[shift:] + sides[:shift]:
            rate, outcome = measure.run_once(side, command)
            if rate is None:
                print(measure.Failure(side.label, round_no, outcome), file=sys.stderr)
            runs[side.label].append(outcome.result if rate is not None else None)
    complete = [i for i in range(args.reps) if all(runs[s.label][i] for s in sides)]
    if len(complete) < 2:
        print("compare/large_churn: only %d complete rounds" % len(complete), file=sys.stderr)
        return 1

    def values(label, key):
        return [float(runs[label][i][key]) for i in complete]

    print("large_churn: %d steps, %d paired rounds; medians" % (args.steps, len(complete)))
    print("%-12s" % "allocator" + "".join("%20s" % title for _, title in FIGURES))
    for side in sides:
        print("%-12s" % side.label + "".join("%20.3f" % stats.median(values(side.label, key))
                                            for key, _ in FIGURES))
    ref = sides[0].label
    for side in sides[1:]:
        # Comparison takes rates: 1/seconds, so that its ratio is (ref time) / (this time) > 1 when faster.
        c = stats.Comparison([1 / s for s in values(ref, "seconds")], [1 / s for s in values(side.label, "seconds")])
        found = stats.NO_DIFFERENCE if c.verdict == stats.NO_DIFFERENCE else \
            "%s is %s than %s" % (side.label, c.verdict, ref)
        print("%s time / %s time: %.3f (95%% CI %.3f-%.3f), paired t-test p %.3g: %s" %
              (side.label, ref, 1 / c.ratio, 1 / c.ci[1], 1 / c.ci[0], c.p_value, found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
