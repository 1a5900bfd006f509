"""programs.csv: each program's throughput relative to glibc per allocator, and the geometric mean over the
programs with its confidence interval.

A program's ratio is the median of its per-rep ratios (this allocator's run / glibc's run of the same rep:
the two ran back to back, so load drifts cancel). Intervals are percentile bootstraps: the reps of every
program are resampled, the medians and their geometric mean recomputed; the geometric mean is taken over
the programs with a ratio for every allocator, so that the allocators' means cover the same programs.
"""
import math
import os

import numpy as np

from . import csvfiles, schema, stats, summary

GEOMEAN = "geomean"  # the workload cell of the geometric-mean rows
BASE = "system"


def comparisons(runs, program):
    """{allocator: stats.Comparison against glibc} of one program, for the allocators with at least 2 reps
    in which both runs were ok."""
    by_allocator = {}
    for r in runs:
        if r["workload"] == program:
            by_allocator.setdefault(r["allocator"], []).append(r)
    return {mine: c for (mine, other), c in summary.paired_comparisons(by_allocator).items() if other == BASE}


def geomean_ci(ratio_samples):
    """Percentile-bootstrap interval (low, high) of the geometric mean over programs of the median of each
    program's per-rep ratios (ratio_samples: one list per program); every program's reps are resampled."""
    rng = np.random.default_rng(stats.SEED)
    logs = []
    for ratios in ratio_samples:
        data = np.asarray(ratios, dtype=float)
        logs.append(np.log(np.median(data[rng.integers(0, data.size, size=(stats.N_BOOT, data.size))], axis=1)))
    tail = (1 - stats.LEVEL) / 2 * 100
    low, high = np.percentile(np.exp(np.mean(logs, axis=0)), [tail, 100 - tail])
    return float(low), float(high)


def rows(runs, programs, allocators):
    """programs.csv rows: one per allocator (but glibc) and program with at least 2 paired reps, then one
    geomean row per allocator over the programs every allocator has a ratio for."""
    run_id = runs[0]["run_id"] if runs else ""
    found = {program: comparisons(runs, program) for program in programs}
    compared = [a for a in allocators if a != BASE and any(a in c for c in found.values())]
    out = []
    for allocator in compared:
        for program in programs:
            c = found[program].get(allocator)
            if c is not None:
                out.append({"run_id": run_id, "allocator": allocator, "workload": program, "pairs": len(c.ratios),
                            "ratio_vs_system": c.ratio, "ci_low": c.ci[0], "ci_high": c.ci[1]})
    common = [p for p in programs if compared and all(a in found[p] for a in compared)]
    for allocator in compared if common else []:
        mean = math.exp(sum(math.log(found[p][allocator].ratio) for p in common) / len(common))
        low, high = geomean_ci([found[p][allocator].ratios for p in common])
        out.append({"run_id": run_id, "allocator": allocator, "workload": GEOMEAN, "pairs": len(common),
                    "ratio_vs_system": mean, "ci_low": low, "ci_high": high})
    return out


def write(run_dir, programs, allocators):
    """(Re)write run_dir/programs.csv from runs.csv and return its rows ([] and no file without programs)."""
    if not programs:
        return []
    found = rows(csvfiles.read(os.path.join(run_dir, "runs.csv"), schema.RUNS), programs, allocators)
    csvfiles.write_all(os.path.join(run_dir, "programs.csv"), schema.PROGRAMS, found)
    return found


def format_table(found, programs, allocators):
    """Text table: a row per allocator, a column per program and the geometric mean (ratio to glibc)."""
    if not found:
        return ""
    cell = {(r["allocator"], r["workload"]): r for r in found}
    columns = list(programs) + [GEOMEAN]
    lines = ["== programs: throughput relative to glibc (median of per-rep ratios; geomean with 95% CI)",
             "%-10s" % "allocator" + "".join(" %8s" % c[:8] for c in columns) + "  95% CI of geomean"]
    for allocator in allocators:
        if allocator == BASE:
            continue
        values = ["%8s" % ("%.3f" % cell[(allocator, c)]["ratio_vs_system"] if (allocator, c) in cell else "-")
                  for c in columns]
        mean = cell.get((allocator, GEOMEAN))
        ci = "%.3f-%.3f" % (mean["ci_low"], mean["ci_high"]) if mean else "-"
        lines.append("%-10s" % allocator + "".join(" " + v for v in values) + "  " + ci)
    return "\n".join(lines) + "\n"
