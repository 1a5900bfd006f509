"""The program suite's figure: each program's throughput relative to glibc per allocator, and the geometric
mean over the suite, with 95% bootstrap intervals as whiskers (program_summary.py)."""
import matplotlib.pyplot as plt

from . import program_summary
from .plots import Bar, Figure, Skip, _legend_right, _save, _title_suffix, grouped_bars

NAME = "programs_relative"


def relative(data, programs, colours, out_dir):
    if not programs:
        raise Skip("no program workload in this run")
    allocators = [a for a in data.allocators() if a != program_summary.BASE]
    found = program_summary.rows(data.runs or [], programs, data.allocators())
    if not found:
        raise Skip("no program has ok runs of glibc and another allocator in the same rep")
    cell = {(r["allocator"], r["workload"]): r for r in found}
    groups = list(programs) + [program_summary.GEOMEAN]

    def bar_of(allocator, group):
        row = cell.get((allocator, group))
        if row is None:
            return Bar(None, note="no ratio", failed=True)
        return Bar(row["ratio_vs_system"], row["ci_low"], row["ci_high"])

    fig, ax = plt.subplots(figsize=(2.6 + 0.32 * len(groups) * max(len(allocators), 2), 4.8),
                           constrained_layout=True)
    placed = grouped_bars(ax, groups, allocators, colours, bar_of, value_fmt=lambda v: "%.2f×" % v)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, zorder=5)
    ax.axvline(len(programs) - 0.5, color="black", linewidth=0.8, zorder=1)
    ax.set_ylabel("throughput relative to glibc malloc (×)")
    title = "Programs: throughput relative to glibc malloc"
    ax.set_title("%s\n%s" % (title, _title_suffix(data)), fontsize=11)
    _legend_right(ax)
    _save(fig, out_dir, NAME, placed)
    return Figure(NAME, title,
                  "Per program: the median over reps of this allocator's run divided by glibc's run of the same "
                  "rep (dashed line = 1.0, higher is faster); last group: the geometric mean over the programs. "
                  "Whiskers: 95% bootstrap intervals (reps resampled).")
