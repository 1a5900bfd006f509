"""results/<run-id>/report.md: run info, summary tables, failures and the figures of one run."""
import os

from . import schema
from .plots import HIGHLIGHT, SOURCE_TEXT
from .summary import VERDICT_RULE, cautions, paired_text

NONE = "–"  # an empty cell: not measured (never written as 0)


def mops(value):
    return NONE if value is None else "%.3f" % (value / 1e6)


def ratio(value):
    return NONE if value is None else "%.2f" % value


def integer(value):
    return NONE if value is None else "%d" % round(value)


def mib(kb):
    return NONE if kb is None else "%.1f" % (kb / 1024)


def branch(row):
    if row["branch_misses_per_op"] is None:
        return row["branch_misses_source"] or NONE
    return "%.4f (%s)" % (row["branch_misses_per_op"], row["branch_misses_source"] or "?")


def _name(allocator):
    return "**%s**" % allocator if allocator == HIGHLIGHT else allocator


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _meta_lines(meta, indent=""):
    lines = []
    for key, value in meta.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            # e.g. allocators: {name: {path, version, ...}} -> one table row per name
            columns = list(dict.fromkeys(k for v in value.values() for k in v))
            lines += ["%s- %s:" % (indent, key), ""]
            lines += [indent + "  " + line for line in
                      _table([key] + columns, [[name] + [_cell(v.get(c)) for c in columns]
                                               for name, v in value.items()])]
            lines.append("")
        elif isinstance(value, dict):
            lines.append("%s- %s:%s" % (indent, key, "" if value else " (none)"))
            lines += _meta_lines(value, indent + "  ")
        elif isinstance(value, list) and "command" in key:
            lines.append("%s- %s: `%s`" % (indent, key, " ".join(str(v) for v in value)))
        elif isinstance(value, list):
            lines.append("%s- %s: %s" % (indent, key, ", ".join(str(v) for v in value) or "(none)"))
        else:
            lines.append("%s- %s: %s" % (indent, key, _cell(value)))
    return lines


def _cell(value):
    return NONE if value is None or value == "" else str(value).replace("|", "\\|")


def _summary_rows(data, workload):
    rows = [r for r in data.summary or [] if r["workload"] == workload]
    order = {a: i for i, a in enumerate(data.allocators())}
    return sorted(rows, key=lambda r: (r["threads"], order[r["allocator"]]))


def _paired(row, suffix):
    text = paired_text(row, suffix)
    return NONE if text == "-" else text


def _throughput_table(rows):
    header = ["allocator", "threads", "ok runs", "median Mops/s", "min Mops/s", "max Mops/s",
              "vs system [95% CI]", "vs best peer [95% CI]", "best peer", "ratio of medians vs system",
              "ratio of medians vs best peer", "noisy or failed runs"]
    return _table(header, [[_name(r["allocator"]), r["threads"], "%s/%s" % (r["ok_runs"], r["runs"]),
                            mops(r["median_ops_per_sec"]), mops(r["min_ops_per_sec"]), mops(r["max_ops_per_sec"]),
                            _paired(r, "system"), _paired(r, "best_peer"), r["best_peer"] or NONE,
                            ratio(r["ratio_of_medians_vs_system"]), ratio(r["ratio_of_medians_vs_best_peer"]),
                            _cell("; ".join(cautions(r)))]
                           for r in rows])


def _cell_cautions(data, workload, threads):
    """'hakmem: bimodal ...; tcmalloc: 1 of 5 runs failed' for one cell, '' when every run is clean."""
    return "; ".join("%s: %s" % (r["allocator"], ", ".join(cautions(r))) for r in data.summary or []
                     if (r["workload"], r["threads"]) == (workload, threads) and cautions(r))


def _headline(data):
    """HAKMEM against its best peer in every cell, then against every other allocator."""
    rows = [r for r in data.summary or [] if r["allocator"] == HIGHLIGHT]
    if not rows:
        return []
    out = ["## %s against the other allocators" % HIGHLIGHT, "",
           "Each ratio is the median over reps of %s's ops/s divided by the other allocator's ops/s in the same "
           "rep (measured back to back), with its 95%% bootstrap interval. %s A cell "
           "whose runs were noisy or failed is named in the last column: read its ratio with its interval."
           % (HIGHLIGHT, VERDICT_RULE), ""]
    out += _table(["workload", "threads", "best peer", "%s ÷ best peer [95%% CI] verdict" % HIGHLIGHT,
                   "ratio of medians", "noisy or failed runs in the cell"],
                  [[r["workload"], r["threads"], r["best_peer"] or NONE, _paired(r, "best_peer"),
                    ratio(r["ratio_of_medians_vs_best_peer"]), _cell(_cell_cautions(data, r["workload"], r["threads"]))]
                   for r in rows]) + [""]
    every = [r for r in data.ratios or [] if r["allocator"] == HIGHLIGHT]
    if every:
        out += ["Against every allocator:", ""]
        out += _table(["workload", "threads", "versus", "pairs", "ratio", "95% CI", "paired p", "verdict"],
                      [[r["workload"], r["threads"], r["versus"], r["pairs"], ratio(r["ratio"]),
                        "[%.2f, %.2f]" % (r["ci_low"], r["ci_high"]), "%.3f" % r["p_value"], r["verdict"]]
                       for r in every]) + [""]
    return out


def _noisy_cells(data):
    cells = list(dict.fromkeys((r["workload"], r["threads"]) for r in data.summary or []))
    lines = ["- %s, %d thread%s: %s" % (w, t, "" if t == 1 else "s", _cell_cautions(data, w, t))
             for w, t in cells if _cell_cautions(data, w, t)]
    if not lines:
        return ["None: no cell had a failed run, a bimodal sample or an interquartile range above 10% of its "
                "median."]
    return (["Runs of one allocator in one cell whose speeds split into two groups (bimodal) or spread widely "
             "(interquartile range above 10% of the median), or that failed. Their medians and the ratios of "
             "medians are unreliable; the paired ratios' intervals show how much.", ""] + lines)


def _resources_table(rows):
    header = (["allocator", "threads", "peak RSS MiB", "minor faults"] + schema.KEY_SYSCALLS
              + ["all syscalls", "branch misses/op (source)"])
    return _table(header, [[_name(r["allocator"]), r["threads"], mib(r["median_max_rss_kb"]),
                            integer(r["median_minor_faults"])]
                           + [integer(r[s]) for s in schema.KEY_SYSCALLS]
                           + [integer(r["total_syscalls"]), branch(r)] for r in rows])


def _per_call(value, digits):
    return NONE if value is None else "%.*f" % (digits, value)


def _alloc_cost(data):
    """The allocator cost per call of every cell that has it (callgrind rows), or [] when none has."""
    rows = [r for w in data.workloads() for r in _summary_rows(data, w) if r["instructions_per_malloc"] is not None]
    if not rows:
        return []
    header = ["workload", "threads", "allocator", "instr/malloc", "instr/free", "D1 misses/malloc",
              "D1 misses/free", "LL misses/malloc", "LL misses/free", "driver instr/op"]
    table = _table(header, [[r["workload"], r["threads"], _name(r["allocator"]),
                             _per_call(r["instructions_per_malloc"], 1), _per_call(r["instructions_per_free"], 1),
                             _per_call(r["d1_misses_per_malloc"], 3), _per_call(r["d1_misses_per_free"], 3),
                             _per_call(r["ll_misses_per_malloc"], 4), _per_call(r["ll_misses_per_free"], 4),
                             _per_call(r["driver_instructions_per_op"], 1)] for r in rows])
    return ["## Allocator cost per call", "",
            "One run per cell under `valgrind --tool=callgrind --cache-sim=yes` at the tiny profile. Each call the "
            "driver makes to malloc or free is charged with everything it executes: the allocator's library and "
            "the libc functions and syscalls it calls (for glibc, what lies under libc's malloc and free). "
            "D1 and LL misses are simulated data misses (reads + writes) of a fixed 32 KiB 8-way L1 and 8 MiB "
            "16-way LL. \"driver instr/op\" is the driver's own work per op (writing and checking its tags). "
            "Deterministic for the single-threaded count-bound workloads; larson (time-bound) and runs with "
            "several threads move a little between runs.", ""] + table + [""]


def _failures(data):
    failed = data.failed_runs()
    if data.runs is None:
        return ["runs.csv is missing: failures unknown."]
    if not failed:
        return ["None: every timed run was ok (a driver: exit 0 with a RESULT line; a program: exit 0 with the "
                "output of glibc's reference run)."]
    return _table(["workload", "allocator", "threads", "rep", "status", "exit code"],
                  [[r["workload"], r["allocator"], r["threads"], r["rep"], r["status"],
                    NONE if r["exit_code"] is None else r["exit_code"]] for r in failed])


def _params(data, workload):
    params = sorted({r["params"] for r in data.runs or [] if r["workload"] == workload and r["params"]})
    return ["Parameters: " + "; ".join("`%s`" % p for p in params)] if params else []


def write(data, figures, skipped, plots_dir, path, sections=()):
    """Write the report of data to path; figures are linked relative to path's directory. sections: more
    markdown lines, placed after the summary (the programs' section)."""
    rel = os.path.relpath(os.path.realpath(plots_dir), os.path.dirname(os.path.realpath(path)))
    out = ["# HAKMEM benchmark run %s" % data.run_id, ""]
    out += ["## Run", ""] + (_meta_lines(data.meta) or ["meta.json is missing."]) + [""]
    if data.notes:
        out += ["Notes on the input: " + "; ".join(data.notes) + ".", ""]

    out += _headline(data)
    out += ["## Summary", "",
            "ops/s are medians over the ok timed runs of each cell (one op = one malloc or one free). "
            "\"vs system\" and \"vs best peer\" are paired ratios: the median over reps of this allocator's "
            "ops/s divided by the other's in the same rep, with its 95%% bootstrap interval and verdict; the best "
            "peer is the other allocator this one compares worst with. The ratios of medians divide two "
            "independent medians, as older reports did. "
            "Syscalls come from one untimed strace run per cell, faults and RSS are medians over the timed runs. "
            "%s means not measured." % NONE, ""]
    skipped_allocators = [(name, info.get("reason") or "unavailable")
                          for name, info in (data.meta.get("allocators") or {}).items()
                          if isinstance(info, dict) and info.get("available") is False]
    if skipped_allocators:
        out += ["Allocators not run: " + "; ".join("%s (%s)" % s for s in skipped_allocators) + ".", ""]
    if data.summary is None:
        out += ["summary.csv is missing: no summary table.", ""]
    for workload in [w for w in data.workloads() if w not in data.programs()]:
        rows = _summary_rows(data, workload)
        out += ["### %s" % workload, ""] + _params(data, workload) + [""]
        if not rows:
            out += ["No summary rows.", ""]
            continue
        out += _throughput_table(rows) + [""] + _resources_table(rows) + [""]
    sources = sorted({r["branch_misses_source"] for r in data.summary or [] if r["branch_misses_source"]})
    if sources:
        out += ["Branch-miss sources: " + "; ".join("%s = %s" % (s, SOURCE_TEXT.get(s, s)) for s in sources) + ".",
                ""]

    out += _alloc_cost(data)
    out += list(sections)
    out += ["## Noisy cells", ""] + _noisy_cells(data) + [""]
    out += ["## Failed runs", ""] + _failures(data) + [""]

    out += ["## Figures", ""]
    for fig in figures:
        png = "%s/%s.png" % (rel, fig.name)
        out += ["### %s" % fig.title, "", "![%s](%s)" % (fig.title, png), "",
                "%s ([SVG](%s/%s.svg))" % (fig.caption, rel, fig.name), ""]
    if skipped:
        out += ["Figures not drawn:", ""] + ["- %s: %s" % (name, why) for name, why in skipped] + [""]
    with open(path, "w") as f:
        f.write("\n".join(out))
