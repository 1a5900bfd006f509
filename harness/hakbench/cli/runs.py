"""Run against run: how each allocator's speed relative to glibc changed from one harness run to another.

  compare/runs results/RUN_A results/RUN_B [--versus system] [--run-id ID]

For every cell (workload x threads) both runs measured with the same workload parameters, and every allocator
in both, the per-rep paired ratios allocator / glibc of run A and of run B (the runs of one rep are measured back
to back) are compared: change = median(B's ratios) / median(A's ratios), its 95% bootstrap interval (both samples
resampled), the Mann-Whitney p of the two samples of ratios, and the verdict faster / slower / no detectable
difference (the interval lies more than stats.TABLE_MARGIN, 3%, beyond 1 and p < 0.05). Dividing by glibc of the same rep makes two
commits, two knob settings or two machines comparable; a change of glibc itself between the runs (another
machine, another kernel) moves every ratio alike, which the table shows as the same change in every row.

Then HAKMEM against its best peer in each run: both ratios with their intervals and verdicts, whether the
verdicts agree and whether B's median lies inside A's interval (what two runs of one build should show).

Output: the tables on stdout, results/<run-id>/change.csv, change.md and plots/<run-id>/change.png (and .svg).
Refuses (exit 2, naming them) runs whose workload parameters differ in a cell both measured, and runs that
have no cell in common. Exit 0 when the comparison was made; 2 on bad usage or refused runs.
"""
import argparse
import os
import sys

from hakbench import csvfiles, plots, schema, stats, summary
from hakbench.allocators import REPO
from hakbench.compare import measure
from hakbench.run_data import RunData


class Refused(Exception):
    """Two runs that cannot be compared; str() says why."""


def common_cells(a, b, name_a, name_b):
    """The cells of both runs, in A's order; Refused when none, or when a cell's parameters differ."""
    common = [cell for cell in a if cell in b]
    if not common:
        raise Refused("%s and %s have no workload x threads cell in common" % (name_a, name_b))
    differ = []
    for cell in common:
        params_a = sorted({r["params"] for rows in a[cell].values() for r in rows})
        params_b = sorted({r["params"] for rows in b[cell].values() for r in rows})
        if params_a != params_b:
            differ.append("%s threads=%d: %s ran `%s`, %s ran `%s`" % (cell[0], cell[1], name_a, " | ".join(params_a),
                                                                       name_b, " | ".join(params_b)))
    if differ:
        raise Refused("refusing to compare runs whose workload parameters differ (a ratio of two different "
                      "workloads is not a change):\n  " + "\n  ".join(differ))
    return common


def changes(a, b, cells, versus):
    """change.csv rows (schema.CHANGE): every allocator of both runs (but versus) in every cell, when both runs have >= 2 pairs."""
    out = []
    for cell in cells:
        paired_a, paired_b = summary.paired_comparisons(a[cell]), summary.paired_comparisons(b[cell])
        for allocator in a[cell]:
            key = (allocator, versus)
            if key not in paired_a or key not in paired_b:
                continue
            ratios_a, ratios_b = paired_a[key].ratios, paired_b[key].ratios
            change = stats.Change(ratios_a, ratios_b, margin=stats.TABLE_MARGIN)
            out.append({"workload": cell[0], "threads": cell[1], "allocator": allocator, "versus": versus,
                        "pairs_a": len(ratios_a), "pairs_b": len(ratios_b), "ratio_a": stats.median(ratios_a),
                        "ratio_b": stats.median(ratios_b), "change": change.ratio, "ci_low": change.ci[0],
                        "ci_high": change.ci[1], "p_value": change.p_value, "verdict": change.verdict})
    return out


def table(rows):
    lines = ["%-14s %7s %-10s %9s %9s %8s %17s %7s  %s" % ("workload", "threads", "allocator", "A ratio",
                                                           "B ratio", "change", "95% CI", "p", "verdict")]
    for r in rows:
        lines.append("%-14s %7d %-10s %9.3f %9.3f %+7.1f%% %17s %7.3f  %s" % (
            r["workload"], r["threads"], r["allocator"], r["ratio_a"], r["ratio_b"], 100 * (r["change"] - 1),
            "[%.3f, %.3f]" % (r["ci_low"], r["ci_high"]), r["p_value"], r["verdict"]))
    return lines


def agreement(runs_a, runs_b, cells):
    """Lines on plots.HIGHLIGHT (hakmem) against its best peer in both runs, per cell where both have the ratio."""
    def headline(runs):
        return {(r["workload"], r["threads"]): r for r in summary.summarize(runs)
                if r["allocator"] == plots.HIGHLIGHT and r.get("ratio_vs_best_peer") is not None}
    a, b = headline(runs_a), headline(runs_b)
    lines = []
    for cell in (c for c in cells if c in a and c in b):
        ra, rb = a[cell], b[cell]
        lines.append("%-14s %7d  A %s (%s)  B %s (%s)  verdicts %s; B's median %s A's interval" % (
            cell[0], cell[1], summary.paired_text(ra, "best_peer"), ra["best_peer"],
            summary.paired_text(rb, "best_peer"), rb["best_peer"],
            "agree" if ra["verdict_vs_best_peer"] == rb["verdict_vs_best_peer"] else "DIFFER",
            "inside" if ra["ci_low_vs_best_peer"] <= rb["ratio_vs_best_peer"] <= ra["ci_high_vs_best_peer"]
            else "OUTSIDE"))
    return ["", "%s against its best peer in each run:" % plots.HIGHLIGHT] + lines if lines else []


def differences(meta_a, meta_b):
    """'key: A, B' lines for what two runs' meta.json say differently about how they were made."""
    lines = []
    for key, get in (("git sha", lambda m: m.get("git_sha")), ("HAKMEM_* env", lambda m: m.get("hakmem_env")),
                     ("other env", lambda m: m.get("other_env_from_flags")),
                     ("cpu", lambda m: (m.get("machine") or {}).get("cpu_model")),
                     ("kernel", lambda m: (m.get("machine") or {}).get("kernel")),
                     ("load average before", lambda m: (m.get("load_average") or {}).get("before"))):
        if get(meta_a) != get(meta_b):
            lines.append("%s: A %s, B %s" % (key, get(meta_a), get(meta_b)))
    return lines


def write_report(path, data_a, data_b, rows, lines, figure):
    out = ["# Run against run: %s (A) and %s (B)" % (data_a.run_id, data_b.run_id), "",
           "Per cell, each allocator's paired ratio to %s (median of per-rep ratios) in run A and in run B, and the "
           "change B/A with its 95%% bootstrap interval, Mann-Whitney p and verdict (faster / slower only when the "
           "interval lies more than %.0f%% beyond 1 and p < 0.05)."
           % (rows[0]["versus"] if rows else "system", 100 * stats.TABLE_MARGIN), ""]
    out += ["What differs between the runs:", ""] + ["- " + line for line in differences(data_a.meta, data_b.meta)
                                                      or ["(nothing recorded in meta.json)"]] + [""]
    out += ["```"] + lines + ["```", ""]
    if figure:
        out += ["![change](%s)" % os.path.relpath(figure, os.path.dirname(path)), ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def main(argv):
    p = argparse.ArgumentParser(prog="compare/runs", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="exit status: 0 compared, 2 bad usage or runs that cannot be compared")
    p.add_argument("run_a", help="the earlier (before) run's results directory")
    p.add_argument("run_b", help="the later (after) run's results directory")
    p.add_argument("--versus", default="system", help="the allocator every ratio divides by (default system)")
    p.add_argument("--run-id", help="name of the output directories (default runs-<UTC time>-<git sha>)")
    args = p.parse_args(argv)
    for path in (args.run_a, args.run_b):
        if not os.path.isfile(os.path.join(path, "runs.csv")):
            p.error("%s has no runs.csv: not a harness run directory" % path)
    try:
        runs_a, runs_b = (csvfiles.read(os.path.join(path, "runs.csv"), schema.RUNS)
                          for path in (args.run_a, args.run_b))
    except csvfiles.CSVError as e:
        print("compare/runs: %s" % e, file=sys.stderr)
        return 2
    a, b = summary.cells(runs_a), summary.cells(runs_b)
    try:
        cells = common_cells(a, b, "A (%s)" % args.run_a, "B (%s)" % args.run_b)
    except Refused as e:
        print("compare/runs: %s" % e, file=sys.stderr)
        return 2
    rows = changes(a, b, cells, args.versus)
    if not rows:
        print("compare/runs: no allocator has 2 or more reps paired with %s in both runs" % args.versus,
              file=sys.stderr)
        return 2
    run_id = args.run_id or measure.run_id("runs")
    results, plots_dir = (os.path.join(REPO, top, run_id) for top in ("results", "plots"))
    os.makedirs(results, exist_ok=True)
    os.makedirs(plots_dir, exist_ok=True)
    data_a, data_b = RunData(args.run_a), RunData(args.run_b)
    lines = table(rows) + agreement(runs_a, runs_b, cells)
    figure = plots.change(rows, plots_dir, "change", "%s (A) → %s (B)" % (data_a.run_id, data_b.run_id))
    csvfiles.write_all(os.path.join(results, "change.csv"), schema.CHANGE, rows)
    write_report(os.path.join(results, "change.md"), data_a, data_b, rows, lines, figure)
    print("\n".join(differences(data_a.meta, data_b.meta) + lines))
    print("results: %s/change.{csv,md}, figure %s" % (results, figure))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
