"""The "Programs" section of report.md: each program's ratio to glibc per allocator and the geometric mean
over the suite with its 95% CI (program_summary.py), then per program its throughput, wall time, peak RSS
and system calls."""
from . import program_summary, schema
from .report_md import NONE, _name, _table, integer, mib


def _ratio(row):
    if row is None:
        return NONE
    return "%.3f [%.3f, %.3f]" % (row["ratio_vs_system"], row["ci_low"], row["ci_high"])


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def section(data, programs):
    """Markdown lines of the section ([] when the run has no program workload)."""
    if not programs:
        return []
    allocators = data.allocators()
    found = program_summary.rows(data.runs or [], programs, allocators)
    cell = {(r["allocator"], r["workload"]): r for r in found}
    compared = [a for a in allocators if a != program_summary.BASE]
    out = ["## Programs", "",
           "Real programs run whole under each allocator (LD_PRELOAD reaches every process they start; redis: "
           "the server only, redis-benchmark runs on glibc). Throughput is the program's reported work per second "
           "(redis: requests/s) or else runs per second (1 / wall time), as runs.csv's work_unit says. Every run's "
           "output is checked against a reference run on glibc; a different output is a `corruption` run. "
           "Ratio = median over reps of this allocator's run / glibc's run of the same rep (the two ran back to "
           "back), with a 95% bootstrap interval; >1 is faster than glibc. The geometric mean covers the programs "
           "every allocator has a ratio for; its interval resamples every program's reps.", ""]
    if not compared or not found:
        out += ["No ratios: glibc (system) or another allocator has no ok run to pair with.", ""]
    else:
        rows = [[p] + [_ratio(cell.get((a, p))) for a in compared] for p in programs]
        rows.append(["**%s**" % program_summary.GEOMEAN] + [_ratio(cell.get((a, program_summary.GEOMEAN)))
                                                           for a in compared])
        out += _table(["program"] + [_name(a) for a in compared], rows) + [""]
    for program in programs:
        runs = [r for r in data.runs or [] if r["workload"] == program]
        params = sorted({r["params"] for r in runs if r["params"]})
        unit = next((r["work_unit"] for r in runs if r["work_unit"]), "run")
        out += ["### %s" % program, ""]
        out += ["Parameters: " + "; ".join("`%s`" % p for p in params), ""] if params else []
        table = []
        for a in allocators:
            mine = [r for r in runs if r["allocator"] == a]
            if not mine:
                continue
            ok = [r for r in mine if r["status"] == schema.STATUS_OK]
            counts = data.syscall_counts(program, a, mine[0]["threads"])
            speed = _median([r["ops_per_sec"] for r in ok])
            wall = _median([r["wall_s"] for r in ok])
            table.append([_name(a), "%d/%d" % (len(ok), len(mine)), NONE if wall is None else "%.3f" % wall,
                          NONE if speed is None else "%.4g" % speed,
                          "1" if a == program_summary.BASE and ok else _ratio(cell.get((a, program))),
                          mib(_median([r["max_rss_kb"] for r in ok])), integer(counts.get("total")),
                          integer(sum(counts.get(s, 0) for s in ("mmap", "munmap", "madvise"))) if counts else NONE])
        out += _table(["allocator", "ok runs", "median wall s", "median %ss/s" % unit, "vs glibc [95% CI]",
                       "peak RSS MiB", "all syscalls", "mmap+munmap+madvise"], table) + [""]
    return out
