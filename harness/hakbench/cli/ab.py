"""A/B test of HAKMEM_* knobs or whole environments, or a sweep of one knob.

  compare/ab 'HAKMEM_TINY_REFILL=16' 'HAKMEM_TINY_REFILL=64'
  compare/ab --a-env a.env --b-env b.env
  compare/ab --sweep HAKMEM_TINY_REFILL=16,32,64,128

The sides run alternately (AB BA BA AB ...: a Williams design, so neither side always goes first or follows the same side), each
run a fresh process of one workload. Reported per side: median and IQR of ops/s; against side A (in a sweep,
the first value): the median of the per-round ratios with a 95% bootstrap interval, the p-value of a paired
t-test of the log per-round ratios, and a verdict (faster / slower / no detectable difference: a difference is claimed only when
the interval excludes 1 and p < 0.05), with the runs per side needed to detect a change of --effect at the
noise measured. With HAKMEM_STATS=json support, one extra run per side collects the allocator's own counters.
Output: results/<run-id>/ab.csv (one row per side), ab_runs.csv (every run), ab_counters.csv, and the figure
plots/<run-id>/ab.png (or sweep_<KNOB>.png). Exit 0 when the comparison was made, 1 when runs failed so
that it could not be, 2 on bad usage.
"""
import argparse
import os
import re
import sys

from hakbench import csvfiles, schema, stats, workloads
from hakbench.allocators import REPO
from hakbench.compare import abplot, hakmem_stats, measure

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_assignments(text, where):
    """{NAME: value} of 'NAME=value NAME2=value2' ('' = no change); ValueError naming where."""
    result = {}
    for word in text.split():
        name, sep, value = word.partition("=")
        if not sep or not NAME.match(name):
            raise ValueError("%s: %r is not NAME=value" % (where, word))
        result[name] = value
    return result


def read_env_file(path):
    """Assignments of an env file: NAME=value lines, '#' comments, optional 'export '."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise ValueError("env file %s: %s" % (path, e.strerror))
    result = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if line and not line.startswith("#"):
            line = line[len("export "):] if line.startswith("export ") else line
            name, sep, value = line.partition("=")
            if not sep or not NAME.match(name.strip()):
                raise ValueError("env file %s line %d: %r is not NAME=value" % (path, number, line))
            result[name.strip()] = value.strip().strip("'\"")
    return result


def parse_args(argv):
    p = argparse.ArgumentParser(prog="compare/ab", description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sides", nargs="*", metavar="'NAME=value ...'",
                   help="side A then side B: environment assignments, space-separated ('' for none)")
    p.add_argument("--a-env", metavar="FILE", help="env file added to side A")
    p.add_argument("--b-env", metavar="FILE", help="env file added to side B")
    p.add_argument("--sweep", metavar="KNOB=v1,v2,...", help="compare every value of one knob instead")
    p.add_argument("--workload", default="random_mixed", help="default random_mixed")
    p.add_argument("--threads", type=int, default=None, help="threads of a threaded workload (default 2)")
    p.add_argument("--profile", default="quick", choices=workloads.PROFILES, help="run size (default quick)")
    p.add_argument("--reps", type=int, default=20, help="runs per side (default 20)")
    p.add_argument("--allocator", default="hakmem", help="known name or NAME=/path/lib.so (default hakmem)")
    p.add_argument("--effect", type=float, default=0.02, help="effect size for the runs-needed figure (default 0.02)")
    p.add_argument("--run-id", help="default ab-<UTC time>-<git sha>")
    p.add_argument("--no-stats", action="store_true", help="skip the HAKMEM_STATS=json counter runs")
    p.add_argument("--timeout", type=float, default=measure.RUN_TIMEOUT_S, help="seconds per run")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    if args.reps < 3:
        p.error("--reps must be >= 3")
    if not 0 < args.effect < 1:
        p.error("--effect must be between 0 and 1")
    if args.run_id is not None and not re.match(r"^[A-Za-z0-9_.-]+$", args.run_id):
        p.error("--run-id may hold letters, digits, '_', '.', '-' only")
    try:
        args.workload = measure.parse_workloads(args.workload)[0]
        threaded = args.workload in workloads.THREADED
        if args.threads is not None and (args.threads < 1 or not threaded):
            raise ValueError("--threads needs a count >= 1 and a threaded workload (%s)"
                             % ", ".join(sorted(workloads.THREADED)))
        args.threads = measure.threads_of(args.workload, args.threads)
        args.alloc = measure.resolve_one(args.allocator)
        args.side_envs = side_envs(args)
        args.job = measure.job(args.workload, args.threads, args.profile, args.timeout)
    except ValueError as e:
        p.error(str(e))
    return args


def side_envs(args):
    """[(label, {NAME: value})] of the sides, the reference first."""
    if args.sweep:
        if args.sides or args.a_env or args.b_env:
            raise ValueError("--sweep replaces the A and B sides")
        knob, sep, values = args.sweep.partition("=")
        values = [v for v in values.split(",") if v]
        if not sep or not NAME.match(knob) or len(values) < 2 or len(set(values)) != len(values):
            raise ValueError("--sweep wants KNOB=v1,v2,... with at least two different values")
        return [("%s=%s" % (knob, v), {knob: v}) for v in values]
    if len(args.sides) not in (0, 2) or (not args.sides and not (args.a_env and args.b_env)):
        raise ValueError("give two sides: 'NAME=value' 'NAME=value', or --a-env FILE --b-env FILE (or both)")
    sides = []
    for index, label in enumerate("AB"):
        env = parse_assignments(args.sides[index], "side " + label) if args.sides else {}
        env_file = args.a_env if label == "A" else args.b_env
        if env_file:
            env.update(read_env_file(env_file))
        sides.append((label, env))
    return sides


def fmt_ops(value):
    """ops/s in millions; a program's work units (runs, requests) per second as they are."""
    return "%.2fM" % (value / 1e6) if value >= 1e5 else "%.4g" % value


def collect_counters(args, sides, job):
    """{label: flat counters or a reason string} from one HAKMEM_STATS=json run per side."""
    counters = {}
    for side in sides:
        ops, outcome = measure.run_once(side, job, extra_env={"HAKMEM_STATS": "json"}, timeout=args.timeout)
        try:
            found = hakmem_stats.parse(outcome.stderr)
        except ValueError as e:
            found = str(e)
        if ops is None:
            found = "stats run failed: %s" % outcome.status
        counters[side.label] = found if found is not None else "the allocator printed no counters"
    return counters


def summarize(args, sides, samples, run_id):
    """Rows of ab.csv (dicts of schema.AB) and the figure's side dicts, comparing every side with the first."""
    reference = sides[0].label
    rows, figure = [], []
    for side in sides:
        pair = measure.complete_rounds(samples, [reference, side.label])
        ok = [v for v in samples[side.label] if v is not None]
        row = {"run_id": run_id, "mode": "sweep" if args.sweep else "ab", "side": side.label,
               "env": side.describe_env(), "allocator": args.alloc.name, "workload": args.workload,
               "threads": args.threads, "profile": args.profile, "runs": len(samples[side.label]),
               "ok_runs": len(ok), "effect": args.effect}
        axis_label = side.label.partition("=")[2] if args.sweep else "%s\n%s" % (side.label, side.describe_env()[:40])
        fig = {"label": axis_label, "runs": ok, "ratio": None}
        if len(ok) >= 2:
            q1, q3 = stats.iqr(ok)
            row.update(median_ops_per_sec=stats.median(ok), q1_ops_per_sec=q1, q3_ops_per_sec=q3)
            fig.update(median=stats.median(ok), ci=stats.bootstrap_median_ci(ok))
        if side.label != reference and len(pair[reference]) >= 2:
            comparison = stats.Comparison(pair[reference], pair[side.label])
            row.update(ratio_vs_ref=comparison.ratio, ratio_ci_low=comparison.ci[0], ratio_ci_high=comparison.ci[1],
                       p_value=comparison.p_value, verdict=comparison.verdict,
                       runs_needed=comparison.reps_for(args.effect))
            fig.update(ratio=comparison.ratio, ratio_ci=comparison.ci)
        rows.append(row)
        figure.append(fig)
    return rows, figure


def print_report(args, sides, rows, counters):
    reference = sides[0].label
    print("%-28s %-30s %11s %23s %5s" % ("side", "env", "median ops/s", "IQR", "runs"))
    for side, row in zip(sides, rows):
        spread = ("%s - %s" % (fmt_ops(row["q1_ops_per_sec"]), fmt_ops(row["q3_ops_per_sec"]))
                  if "median_ops_per_sec" in row else "-")
        median = fmt_ops(row["median_ops_per_sec"]) if "median_ops_per_sec" in row else "-"
        print("%-28s %-30s %11s %23s %5s" % (side.label, row["env"], median, spread,
                                              "%d/%d" % (row["ok_runs"], row["runs"])))
    print()
    for row in rows[1:]:
        if "ratio_vs_ref" not in row:
            print("%s vs %s: not enough runs to compare" % (row["side"], reference))
            continue
        ratio = row["ratio_vs_ref"]
        change = " (%+.1f%%)" % (100 * (ratio - 1)) if row["verdict"] != stats.NO_DIFFERENCE else ""
        verdict = ("%s is %s than %s%s" % (row["side"], row["verdict"], reference, change)
                   if row["verdict"] != stats.NO_DIFFERENCE else
                   "no detectable difference between %s and %s at this noise level" % (row["side"], reference))
        print("ratio %s/%s %.3f (95%% CI %.3f-%.3f), paired t-test p=%.4g: %s"
              % (row["side"], reference, ratio, row["ratio_ci_low"], row["ratio_ci_high"], row["p_value"], verdict))
        print("  detecting a %g%% change at this noise takes about %d runs per side (80%% power); this had %d"
              % (100 * args.effect, row["runs_needed"], row["ok_runs"]))
    if counters:
        print_counters(sides, counters, bool(args.sweep))


def print_counters(sides, counters, sweep):
    print("\nallocator counters (one HAKMEM_STATS=json run per side):")
    tables = {label: c for label, c in counters.items() if isinstance(c, dict)}
    for label, c in counters.items():
        if not isinstance(c, dict):
            print("  %s: %s" % (label, c))
    if not tables:
        return
    names = sorted({n for c in tables.values() for n in hakmem_stats.shown(c)})
    labels = [s.label for s in sides if s.label in tables]
    heads = [label.partition("=")[2] if sweep else label for label in labels]
    print("  %-36s" % "counter" + "".join(" %15s" % head[-15:] for head in heads))
    for name in names:
        cells = []
        for label in labels:
            value = tables[label].get(name)
            cells.append("-" if value is None else ("%.4f" % value if isinstance(value, float) and value < 1.0001
                                                    else "%d" % value))
        print("  %-36s" % name + "".join(" %15s" % cell for cell in cells))


def write_outputs(args, run_id, sides, samples, rows, counters, figure):
    results = os.path.join(REPO, "results", run_id)
    plots = os.path.join(REPO, "plots", run_id)
    os.makedirs(results, exist_ok=True)
    os.makedirs(plots, exist_ok=True)
    csvfiles.write_all(os.path.join(results, "ab.csv"), schema.AB, rows)
    csvfiles.write_all(os.path.join(results, "ab_runs.csv"), schema.AB_RUNS, [
        {"run_id": run_id, "round": round_no + 1, "side": side.label, "ops_per_sec": value}
        for side in sides for round_no, value in enumerate(samples[side.label])])
    if counters:
        csvfiles.write_all(os.path.join(results, "ab_counters.csv"), schema.AB_COUNTERS, [
            {"run_id": run_id, "side": label, "counter": name, "value": value}
            for label, table in counters.items() if isinstance(table, dict) for name, value in sorted(table.items())])
    drawable = [s for s in figure if "median" in s]
    name = "sweep_%s.png" % args.sweep.partition("=")[0] if args.sweep else "ab.png"
    figure_path = None
    if len(drawable) >= 2 and drawable[0] is figure[0]:
        figure_path = os.path.join(plots, name)
        title = "%s, %s (%s, %d thread%s)\n%s" % (args.alloc.name, args.workload, args.profile, args.threads,
                                                 "s" if args.threads > 1 else "", run_id)
        abplot.draw(figure_path, title, args.sweep.partition("=")[0] if args.sweep else "side", sides[0].label,
                    drawable)
    return results, figure_path


def main(argv):
    args = parse_args(argv)
    run_id = args.run_id or measure.run_id("ab")
    sides = [measure.Side(label, args.alloc, env) for label, env in args.side_envs]
    inherited = ["%s=%s" % kv for kv in sorted(os.environ.items()) if kv[0].startswith("HAKMEM_")]
    print("ab: %s on %s (%s profile, %d thread%s), %d runs per side, order changed every round (a Williams design)"
          % (args.alloc.name, args.workload, args.profile, args.threads, "s" if args.threads > 1 else "", args.reps))
    if inherited:
        print("ab: inherited by every side: %s" % " ".join(inherited))

    def progress(round_no, ops):
        if not args.quiet:
            print("round %d/%d: %s" % (round_no + 1, args.reps, "  ".join(
                "%s %s" % (label, fmt_ops(v) if v else "FAILED") for label, v in ops.items())),
                file=sys.stderr, flush=True)

    samples, failures = measure.interleave(sides, args.job, args.reps, progress, args.timeout)
    counters = None if args.no_stats else collect_counters(args, sides, args.job)
    rows, figure = summarize(args, sides, samples, run_id)
    print_report(args, sides, rows, counters)
    for failure in failures:
        print("ab: run failed: %s" % failure)
    results, figure_path = write_outputs(args, run_id, sides, samples, rows, counters, figure)
    print("\nab: results in %s%s" % (os.path.relpath(results),
                                     ", figure %s" % os.path.relpath(figure_path) if figure_path else ""))
    return 0 if all("ratio_vs_ref" in row for row in rows[1:]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
