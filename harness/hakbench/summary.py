"""summary.csv and ratios.csv, computed from runs.csv, syscalls.csv and perf.csv.

Allocators are compared by paired ratios: the runs of one rep of a cell are measured back to back, so the
ratio of two allocators' runs of the same rep is far steadier than the ratio of their independent medians
(a shared VM drifts between two speed states within minutes). summary.csv has one row per workload x allocator
x threads; ratios.csv one row per workload x threads x ordered pair of allocators."""
import os
import statistics

from . import alloc_cost, csvfiles, schema, stats, workloads
from .counters import SOURCE_CACHEGRIND, SOURCE_PERF, SOURCE_UNSUPPORTED


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _ratio(a, b):
    return round(a / b, 4) if a is not None and b else None


def _cell_order(key):
    workload, threads = key
    known = workload in workloads.NAMES
    return (not known, workloads.NAMES.index(workload) if known else 0, workload, threads)


def _branch_misses(perf_rows):
    """(per_op, source) for one workload x allocator x threads: perf's count when the machine has it,
    else cachegrind's simulation, else (None, "unsupported") when perf ran but could not count."""
    misses = [r for r in perf_rows if r["event"] == "branch-misses"]
    for source in (SOURCE_PERF, SOURCE_CACHEGRIND):
        for r in misses:
            if r["source"] == source and r["per_op"] is not None:
                return r["per_op"], source
    if any(r["source"] == SOURCE_UNSUPPORTED for r in misses):
        return None, SOURCE_UNSUPPORTED
    return None, None


def cells(runs):
    """(workload, threads) -> {allocator: [runs rows]}, allocators in order of appearance."""
    out = {}
    for r in runs:
        out.setdefault((r["workload"], r["threads"]), {}).setdefault(r["allocator"], []).append(r)
    return out


def _ok_by_rep(measured):
    """{rep: ops/s} of the ok runs of one allocator in one cell."""
    return {r["rep"]: r["ops_per_sec"] for r in measured if r["status"] == schema.STATUS_OK}


def paired_comparisons(by_allocator):
    """{(allocator, versus): stats.Comparison of allocator against versus} for every ordered pair of allocators
    of one cell ({allocator: [runs rows]}) with ok runs in at least 2 common reps."""
    speeds = {a: _ok_by_rep(measured) for a, measured in by_allocator.items()}
    out = {}
    for mine in speeds:
        for other in speeds:
            common = sorted(set(speeds[mine]) & set(speeds[other]))
            if other != mine and len(common) >= 2:
                out[(mine, other)] = stats.Comparison([speeds[other][r] for r in common],
                                                      [speeds[mine][r] for r in common], margin=stats.TABLE_MARGIN)
    return out


def _paired(row, suffix, comparison):
    if comparison is not None:
        row.update({"ratio_vs_" + suffix: round(comparison.ratio, 4),
                    "ci_low_vs_" + suffix: round(comparison.ci[0], 4),
                    "ci_high_vs_" + suffix: round(comparison.ci[1], 4),
                    "verdict_vs_" + suffix: comparison.verdict})


def ratio_rows(runs):
    """ratios.csv rows (dicts with schema.RATIOS keys) from the rows of runs.csv."""
    out = []
    for (workload, threads), by_allocator in sorted(cells(runs).items(), key=lambda kv: _cell_order(kv[0])):
        run_id = next(iter(by_allocator.values()))[0]["run_id"]
        for (mine, other), c in paired_comparisons(by_allocator).items():
            out.append({"run_id": run_id, "workload": workload, "threads": threads, "allocator": mine,
                        "versus": other, "pairs": len(c.ratios), "ratio": round(c.ratio, 4),
                        "ci_low": round(c.ci[0], 4), "ci_high": round(c.ci[1], 4),
                        "p_value": round(c.p_value, 4), "verdict": c.verdict})
    return out


def summarize(runs, syscalls=(), perf=()):
    """Summary rows (dicts with schema.SUMMARY keys) from the typed rows of runs.csv, syscalls.csv, perf.csv.

    Medians, min and max are over ok runs only; failed runs count in `runs` but not in `ok_runs`,
    and a cell without an ok run has empty figures. The best peer is the other allocator of the cell against
    which this one's paired ratio is lowest (the one it is slowest against), or with no pairs, the one with
    the highest median."""
    by_cell = cells(runs)
    calls = {}
    for r in syscalls:
        calls.setdefault((r["workload"], r["allocator"], r["threads"]), {})[r["syscall"]] = r["calls"]
    events = {}
    for r in perf:
        events.setdefault((r["workload"], r["allocator"], r["threads"]), []).append(r)

    out = []
    for cell in sorted(by_cell, key=_cell_order):
        workload, threads = cell
        medians = {}
        rows = []
        comparisons = paired_comparisons(by_cell[cell])
        for allocator, measured in by_cell[cell].items():
            ok = [r for r in measured if r["status"] == schema.STATUS_OK]
            speeds = [r["ops_per_sec"] for r in ok]
            medians[allocator] = _median(speeds)
            key = (workload, allocator, threads)
            counts = calls.get(key, {})
            per_op, source = _branch_misses(events.get(key, []))
            row = {
                "run_id": measured[0]["run_id"], "workload": workload, "allocator": allocator,
                "threads": threads, "runs": len(measured), "ok_runs": len(ok),
                "median_ops_per_sec": medians[allocator],
                "min_ops_per_sec": min(speeds) if speeds else None,
                "max_ops_per_sec": max(speeds) if speeds else None,
                "noise": stats.noise(speeds),
                "median_max_rss_kb": _median(r["max_rss_kb"] for r in ok),
                "median_minor_faults": _median(r["minor_faults"] for r in ok),
                "total_syscalls": counts.get("total"),
                "branch_misses_per_op": per_op, "branch_misses_source": source,
            }
            row.update(alloc_cost.summary_columns(events.get(key, [])))
            for name in schema.KEY_SYSCALLS:
                row[name] = counts.get(name, 0) if counts else None
            rows.append(row)
        for row in rows:
            allocator = row["allocator"]
            mine = medians[allocator]
            row["ratio_of_medians_vs_system"] = _ratio(mine, medians.get("system"))
            _paired(row, "system", comparisons.get((allocator, "system")))
            paired_peers = {b: c.ratio for (a, b), c in comparisons.items() if a == allocator}
            peers = {a: m for a, m in medians.items() if a != allocator and m is not None}
            if paired_peers:
                best = min(paired_peers, key=paired_peers.get)
            elif peers and mine is not None:
                best = max(peers, key=peers.get)
            else:
                continue
            row["best_peer"], row["ratio_of_medians_vs_best_peer"] = best, _ratio(mine, medians[best])
            _paired(row, "best_peer", comparisons.get((allocator, best)))
        out.extend(rows)
    return out


def headline_widths(rows, allocator="hakmem"):
    """{(workload, threads): width of the 95% interval of allocator's paired ratio to its best peer, relative
    to the ratio} for the cells that have one; without rows of allocator, the widest of any allocator's."""
    mine = [r for r in rows if r["allocator"] == allocator] or rows
    widths = {}
    for r in mine:
        if r.get("ratio_vs_best_peer") is not None:
            cell = (r["workload"], r["threads"])
            width = stats.relative_width(r["ratio_vs_best_peer"], (r["ci_low_vs_best_peer"], r["ci_high_vs_best_peer"]))
            widths[cell] = max(width, widths.get(cell, 0.0))
    return widths


def write(run_dir):
    """(Re)write run_dir/summary.csv and ratios.csv from the run's CSVs and return the summary rows."""
    runs, syscalls, perf = (csvfiles.read(os.path.join(run_dir, kind.kind), kind)
                            for kind in (schema.RUNS, schema.SYSCALLS, schema.PERF))
    rows = summarize(runs, syscalls, perf)
    csvfiles.write_all(os.path.join(run_dir, "summary.csv"), schema.SUMMARY, rows)
    csvfiles.write_all(os.path.join(run_dir, "ratios.csv"), schema.RATIOS, ratio_rows(runs))
    return rows


def _fmt_ops(value):
    return "%.2f" % (value / 1e6) if value is not None else "-"


VERDICT_RULE = ("faster/slower: the 95%% bootstrap interval of the per-rep ratios lies more than %.0f%% beyond 1 "
                "and a paired t-test of their logs gives p < 0.05; otherwise no detectable difference at this "
                "noise (more --reps may tell)." % (100 * stats.TABLE_MARGIN))


def paired_text(row, suffix):
    """'1.36x [1.30, 1.41] faster' from a summary row's ratio_vs_<suffix> columns, '-' without pairs."""
    if row.get("ratio_vs_" + suffix) is None:
        return "-"
    return "%.2fx [%.2f, %.2f] %s" % (row["ratio_vs_" + suffix], row["ci_low_vs_" + suffix],
                                      row["ci_high_vs_" + suffix], row["verdict_vs_" + suffix])


def cautions(row):
    """Why a summary row's figures should not be quoted alone: failed runs, noise ([] when none)."""
    out = []
    if row["ok_runs"] is not None and row["runs"] is not None and row["ok_runs"] < row["runs"]:
        out.append("%d of %d runs failed" % (row["runs"] - row["ok_runs"], row["runs"]))
    if row.get("noise"):
        out.append(row["noise"])
    return out


def format_table(rows):
    """A readable text table per workload: ops/s medians (millions), the paired ratios to system and to the
    best peer with their 95% intervals and verdicts; allocators with failed or noisy runs are starred and
    explained under the table."""
    lines = []
    by_workload = {}
    for r in rows:
        by_workload.setdefault(r["workload"], []).append(r)
    header = ("allocator", "threads", "ok/runs", "Mops/s", "min-max", "vs system [95% CI]",
              "vs best peer [95% CI]")
    for workload, cell_rows in by_workload.items():
        table, notes = [header], []
        flagged = {(r["allocator"], r["threads"]) for r in cell_rows if cautions(r)}
        for r in cell_rows:
            spread = "%s-%s" % (_fmt_ops(r["min_ops_per_sec"]), _fmt_ops(r["max_ops_per_sec"])) \
                if r["min_ops_per_sec"] is not None else "-"
            peer = "-"
            if r.get("best_peer"):
                star = "*" if (r["best_peer"], r["threads"]) in flagged else ""
                peer = "%s (%s%s)" % (paired_text(r, "best_peer"), r["best_peer"], star)
            star = "*" if (r["allocator"], r["threads"]) in flagged else ""
            table.append((r["allocator"] + star, str(r["threads"]), "%s/%s" % (r["ok_runs"], r["runs"]),
                          _fmt_ops(r["median_ops_per_sec"]), spread, paired_text(r, "system"), peer))
            notes += ["  * %s threads=%s: %s" % (r["allocator"], r["threads"], "; ".join(cautions(r)))] \
                if star else []
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        lines.append("== %s (ops/s in millions, median over ok runs; ratios: median of per-rep ratios)" % workload)
        for row in table:
            lines.append("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                                   for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
        lines += notes + [""]
    if lines:
        lines.append(VERDICT_RULE)
    return "\n".join(lines)
