"""summary.csv: one row per workload x allocator x threads, computed from runs.csv, syscalls.csv and perf.csv."""
import os
import statistics

from . import alloc_cost, csvfiles, schema, workloads
from .counters import SOURCE_CACHEGRIND, SOURCE_PERF, SOURCE_UNSUPPORTED


def _number(text):
    return float(text) if text not in (None, "") else None


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _ratio(a, b):
    return round(a / b, 4) if a is not None and b else None


def _cell_order(key):
    workload, threads = key
    known = workload in workloads.NAMES
    return (not known, workloads.NAMES.index(workload) if known else 0, workload, int(threads))


def _branch_misses(perf_rows):
    """(per_op, source) for one workload x allocator x threads: perf's count when the machine has it,
    else cachegrind's simulation, else (None, "unsupported") when perf ran but could not count."""
    misses = [r for r in perf_rows if r["event"] == "branch-misses"]
    for source in (SOURCE_PERF, SOURCE_CACHEGRIND):
        for r in misses:
            if r["source"] == source and r["per_op"] != "":
                return float(r["per_op"]), source
    if any(r["source"] == SOURCE_UNSUPPORTED for r in misses):
        return None, SOURCE_UNSUPPORTED
    return None, None


def summarize(runs, syscalls=(), perf=()):
    """Summary rows (dicts with schema.SUMMARY keys) from the rows of runs.csv, syscalls.csv, perf.csv.

    Medians, min and max are over ok runs only; failed runs count in `runs` but not in `ok_runs`,
    and a cell without an ok run has empty figures. ratio_vs_best_peer compares with the best median
    among the other allocators of the same workload and thread count."""
    cells = {}   # (workload, threads) -> {allocator: [runs rows]}, allocators in order of appearance
    for r in runs:
        cells.setdefault((r["workload"], r["threads"]), {}).setdefault(r["allocator"], []).append(r)
    calls = {}
    for r in syscalls:
        calls.setdefault((r["workload"], r["allocator"], r["threads"]), {})[r["syscall"]] = int(r["calls"])
    events = {}
    for r in perf:
        events.setdefault((r["workload"], r["allocator"], r["threads"]), []).append(r)

    out = []
    for cell in sorted(cells, key=_cell_order):
        workload, threads = cell
        medians = {}
        rows = []
        for allocator, measured in cells[cell].items():
            ok = [r for r in measured if r["status"] == schema.STATUS_OK]
            speeds = [float(r["ops_per_sec"]) for r in ok]
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
                "median_max_rss_kb": _median(_number(r["max_rss_kb"]) for r in ok),
                "median_minor_faults": _median(_number(r["minor_faults"]) for r in ok),
                "total_syscalls": counts.get("total"),
                "branch_misses_per_op": per_op, "branch_misses_source": source,
            }
            row.update(alloc_cost.summary_columns(events.get(key, [])))
            for name in schema.KEY_SYSCALLS:
                row[name] = counts.get(name, 0) if counts else None
            rows.append(row)
        for row in rows:
            mine = medians[row["allocator"]]
            row["ratio_vs_system"] = _ratio(mine, medians.get("system"))
            peers = {a: m for a, m in medians.items() if a != row["allocator"] and m is not None}
            if peers and mine is not None:
                best = max(peers, key=peers.get)
                row["best_peer"], row["ratio_vs_best_peer"] = best, _ratio(mine, peers[best])
        out.extend(rows)
    return out


def write(run_dir):
    """(Re)write run_dir/summary.csv from the run's CSVs and return its rows."""
    rows = summarize(csvfiles.read_rows(os.path.join(run_dir, "runs.csv")),
                     csvfiles.read_rows(os.path.join(run_dir, "syscalls.csv")),
                     csvfiles.read_rows(os.path.join(run_dir, "perf.csv")))
    csvfiles.write_all(os.path.join(run_dir, "summary.csv"), schema.SUMMARY, rows)
    return rows


def _fmt_ops(value):
    return "%.2f" % (value / 1e6) if value is not None else "-"


def _fmt_ratio(value):
    return "%.2fx" % value if value is not None else "-"


def format_table(rows):
    """A readable text table per workload: ops/s medians (millions) and the ratios to system and to the best peer."""
    lines = []
    by_workload = {}
    for r in rows:
        by_workload.setdefault(r["workload"], []).append(r)
    header = ("allocator", "threads", "ok/runs", "Mops/s", "min-max", "vs system", "vs best peer")
    for workload, cell_rows in by_workload.items():
        table = [header]
        for r in cell_rows:
            spread = "%s-%s" % (_fmt_ops(r["min_ops_per_sec"]), _fmt_ops(r["max_ops_per_sec"])) \
                if r["min_ops_per_sec"] is not None else "-"
            peer = "%s (%s)" % (_fmt_ratio(r["ratio_vs_best_peer"]), r["best_peer"]) if r.get("best_peer") else "-"
            table.append((r["allocator"], str(r["threads"]), "%s/%s" % (r["ok_runs"], r["runs"]),
                          _fmt_ops(r["median_ops_per_sec"]), spread, _fmt_ratio(r["ratio_vs_system"]), peer))
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        lines.append("== %s (ops/s in millions, median over ok runs)" % workload)
        for row in table:
            lines.append("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                                   for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
        lines.append("")
    return "\n".join(lines)
