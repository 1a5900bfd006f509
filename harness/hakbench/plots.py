"""Figures of one run, as PNG and SVG, from its RunData (see run_data.py).

Every figure function returns a Figure (file stem, title, caption for the report) or raises Skip with the
reason it cannot be drawn (missing CSV, no data): render_all() collects both, so a partial run still
gives every figure its data allows.
"""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import matplotlib.transforms as mtransforms  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import schema, stats  # noqa: E402
from .allocators import DEFAULT_ORDER  # noqa: E402
from .run_data import ordered  # noqa: E402

# One colour per allocator in every figure; hakmem is the highlighted one (strong red, black edge).
COLOURS = {"system": "#8c8c8c", "jemalloc": "#3a6fb0", "mimalloc": "#4e9a4b",
           "tcmalloc": "#8e63b5", "hakmem": "#d62728"}
EXTRA_COLOURS = ["#e6862f", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#1b3a5c"]
HIGHLIGHT = "hakmem"
FAIL_COLOUR = "#b00000"
NOTE_COLOUR = "#555555"

SYSCALL_COLUMNS = schema.KEY_SYSCALLS + ["total"]
SOURCE_TEXT = {"perf": "perf stat hardware counter",
               "cachegrind": "cachegrind --branch-sim, simulated on a reduced-size run",
               "unsupported": "unsupported on this machine"}
# Labels above bars sit on a white patch, so reference lines and grid lines do not run through them.
LABEL_BOX = dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.85)
FAILURE_VERB = {"crash": "crashed", "timeout": "timed out", "corruption": "corrupted"}


class Skip(Exception):
    """A figure that cannot be drawn; str() is the reason shown in the report."""


class Figure:
    def __init__(self, name, title, caption):
        self.name, self.title, self.caption = name, title, caption


class Bar:
    """One bar: value (None = nothing to draw), optional whiskers (low, high), optional note above or in place
    of it; failed=True draws the note in red (failed runs), otherwise grey (e.g. "unsupported");
    hatched=True draws the bar pale and hatched (a ratio not told apart from 1)."""

    def __init__(self, value, low=None, high=None, note=None, failed=False, hatched=False):
        self.value, self.low, self.high, self.note, self.failed = value, low, high, note, failed
        self.hatched = hatched


def colours_for(allocators):
    """Allocator -> colour; names outside COLOURS get EXTRA_COLOURS in sorted order."""
    colours = dict(COLOURS)
    extras = sorted(a for a in allocators if a not in colours)
    for i, name in enumerate(extras):
        colours[name] = EXTRA_COLOURS[i % len(EXTRA_COLOURS)]
    return colours


def failure_note(runs, ok_runs, statuses=()):
    """'2/5 crashed' style note for a cell with failed runs; None if every run was ok."""
    if runs is None or ok_runs is None or ok_runs >= runs:
        return None
    kinds = {s.split(":")[0] for s in statuses}
    verb = FAILURE_VERB.get(kinds.pop(), "failed") if len(kinds) == 1 else "failed"
    return "%d/%d %s" % (runs - ok_runs, runs, verb)


def threads_label(threads):
    return "%d thread%s" % (threads, "" if threads == 1 else "s")


def _title_suffix(data):
    profile = data.profile()
    return "run %s" % data.run_id + (", profile %s" % profile if profile else "")


def _cell_note(data, workload, allocator, threads, row):
    return failure_note(row["runs"], row["ok_runs"], data.failure_statuses(workload, allocator, threads))


def _workload_allocators(data, workload):
    """Allocators with a summary row for workload, in the canonical order."""
    present = {r["allocator"] for r in data.summary or [] if r["workload"] == workload}
    return [a for a in data.allocators() if a in present]


def _no_counts_note(data, shown, what="data"):
    missing = [a for a in data.allocators() if a not in shown]
    return " No %s for %s." % (what, ", ".join(missing)) if missing else ""


def _missing_allocators_note(data, workload):
    return _no_counts_note(data, _workload_allocators(data, workload))


def _bar_style(allocator, colours):
    if allocator == HIGHLIGHT:
        return {"color": colours[allocator], "edgecolor": "black", "linewidth": 1.4, "zorder": 3}
    return {"color": colours[allocator], "edgecolor": "white", "linewidth": 0.5, "zorder": 2}


def _bold_highlight(legend):
    for text in legend.get_texts():
        if text.get_text() == HIGHLIGHT:
            text.set_fontweight("bold")


def _legend_right(ax):
    legend = ax.legend(title="allocator", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _bold_highlight(legend)


def grouped_bars(ax, groups, allocators, colours, bar_of, log=False, value_fmt=None):
    """Bars for each allocator within each group (x tick labels = str of the group).

    bar_of(allocator, group) -> Bar or None (None: the cell was not run, noted as such).
    A bar without a value, or a zero on a log axis, is written as text at the foot of its slot
    so that nothing silently disappears. Returns the labels above bars, as (text, bar top) pairs, for _save
    to make room for them."""
    n = len(allocators)
    width = 0.8 / max(n, 1)
    foot = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    tops, bottoms, labels = [], [], []
    for i, alloc in enumerate(allocators):
        for g, group in enumerate(groups):
            x = g + (i - (n - 1) / 2) * width
            bar = bar_of(alloc, group)
            if bar is None:
                bar = Bar(None, note="not run")
            drawable = bar.value is not None and not (log and bar.value <= 0)
            if drawable:
                style = _bar_style(alloc, colours)
                if bar.hatched:  # the legend keeps the plain colour: an empty plain bar carries the label
                    ax.bar(x, 0, 0, label=alloc if g == 0 else None, **style)
                    style.update(alpha=0.45, hatch="///")
                ax.bar(x, bar.value, width, label=alloc if g == 0 and not bar.hatched else None, **style)
                if bar.low is not None and bar.high is not None:
                    ax.errorbar(x, bar.value, yerr=[[max(bar.value - bar.low, 0)], [max(bar.high - bar.value, 0)]],
                                fmt="none", ecolor="black", elinewidth=1, capsize=3, zorder=4)
                top = max(bar.value, bar.high or 0)
                tops.append(top)
                bottoms += [v for v in (bar.value, bar.low) if v]
                label = value_fmt(bar.value) if value_fmt else None
                if bar.note:
                    label = bar.note if label is None else "%s  %s" % (label, bar.note)
                if label:
                    labels.append((ax.annotate(label, (x, top), xytext=(0, 3), textcoords="offset points",
                                               rotation=90, ha="center", va="bottom", fontsize=7, zorder=6,
                                               bbox=LABEL_BOX,
                                               color=FAIL_COLOUR if bar.failed and bar.note else "black"), top))
            else:
                # Keep the legend complete even when the first group has no bar of this allocator.
                if g == 0:
                    ax.bar(x, 0, 0, label=alloc, **_bar_style(alloc, colours))
                text = "0" if bar.value == 0 else (bar.note or "no data")
                ax.text(x, 0.02, text, transform=foot, rotation=90 if len(text) > 2 else 0,
                        ha="center", va="bottom", fontsize=7 if len(text) > 2 else 8,
                        color=FAIL_COLOUR if bar.failed and bar.note else (colours[alloc] if text == "0" else NOTE_COLOUR),
                        fontweight="bold")
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([str(g) for g in groups])
    ax.set_xlim(-0.5, len(groups) - 0.5)
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))  # 1, 10, 100 rather than 10^k
        if tops:
            ax.set_ylim(min(bottoms) / 3, max(tops) * 2)
    else:
        ax.set_ylim(0, (max(tops) if tops else 1) * 1.08)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    ax.set_axisbelow(True)
    return [(ax, text, top) for text, top in labels]


def _fit_labels(fig, labels):
    """Raise the top of each axes' y range until the labels above its bars fit inside it.
    labels: (axes, text, bar top in data units). The label's height is measured once drawn."""
    for _ in range(3):  # the layout moves a little each time the limits change
        fig.canvas.draw()
        need = {}
        for ax, text, top in labels:
            box = ax.get_window_extent()
            anchor = ax.transData.transform((0, top))[1]
            height = text.get_window_extent().y1 - anchor + 2  # pixels from the bar top to the label top
            free = max((box.y1 - box.y0 - height) / (box.y1 - box.y0), 0.2)  # share of the axes left for bars
            low, high = ax.get_ylim()
            if ax.get_yscale() == "log":
                wanted = low * (top / low) ** (1 / free)
            else:
                wanted = low + (top - low) / free
            need[ax] = max(need.get(ax, high), wanted)
        grown = [(ax, top) for ax, top in need.items() if top > ax.get_ylim()[1] * 1.001]
        if not grown:
            return
        for ax, top in grown:
            ax.set_ylim(ax.get_ylim()[0], top * 1.02)


def _save(fig, out_dir, name, labels=()):
    if labels:
        _fit_labels(fig, labels)
    fig.savefig(os.path.join(out_dir, name + ".png"), dpi=110)
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: searchable, editable
        fig.savefig(os.path.join(out_dir, name + ".svg"), metadata={"Date": None})
    plt.close(fig)


def _need_summary(data):
    if data.summary is None:
        raise Skip("summary.csv is missing")


def _threads_groups(data, workload):
    threads = data.threads_of(workload)
    return threads, [threads_label(t) for t in threads]


def throughput(data, workload, colours, out_dir):
    _need_summary(data)
    allocs = _workload_allocators(data, workload)
    if not allocs:
        raise Skip("no summary rows for %s" % workload)
    threads, labels = _threads_groups(data, workload)
    by_label = dict(zip(labels, threads))

    def bar_of(alloc, label):
        row = data.summary_cell(workload, alloc, by_label[label])
        if row is None:
            return None
        note = _cell_note(data, workload, alloc, by_label[label], row)
        if row["median_ops_per_sec"] is None:
            return Bar(None, note=note or "no ok run", failed=True)
        return Bar(row["median_ops_per_sec"] / 1e6, row["min_ops_per_sec"] / 1e6, row["max_ops_per_sec"] / 1e6,
                   note, failed=True)

    fig, ax = plt.subplots(figsize=(3.2 + 1.6 * len(threads) * max(len(allocs), 3) / 5 + 1.6, 4.4),
                           constrained_layout=True)
    placed = grouped_bars(ax, labels, allocs, colours, bar_of, value_fmt=lambda v: "%.3g" % v)
    ax.set_ylabel("throughput (million ops/s)")
    title = "%s: throughput" % workload
    ax.set_title("%s\n%s" % (title, _title_suffix(data)), fontsize=11)
    _legend_right(ax)
    _save(fig, out_dir, "throughput_" + workload, placed)
    return Figure("throughput_" + workload, title,
                  "Median ops/s over the ok runs of each cell (one op = one malloc or one free); whiskers "
                  "span min to max. Red notes count failed runs." + _missing_allocators_note(data, workload))


def relative(data, workload, colours, out_dir):
    _need_summary(data)
    allocs = _workload_allocators(data, workload)
    if "system" not in allocs:
        raise Skip("no system malloc row for %s: nothing to normalise to" % workload)
    threads, labels = _threads_groups(data, workload)
    by_label = dict(zip(labels, threads))

    def bar_of(alloc, label):
        t = by_label[label]
        row = data.summary_cell(workload, alloc, t)
        if row is None:
            return None
        note = _cell_note(data, workload, alloc, t, row)
        if alloc == "system":
            return Bar(1.0, note=note, failed=True)
        if row["ratio_vs_system"] is None:
            return Bar(None, note=note or "no pairs", failed=True)
        unsure = row["verdict_vs_system"] == stats.NO_DIFFERENCE
        return Bar(row["ratio_vs_system"], row["ci_low_vs_system"], row["ci_high_vs_system"],
                   "; ".join(n for n in (note, "no diff." if unsure else None) if n) or None,
                   failed=note is not None, hatched=unsure)

    ratios = [b.value for b in (bar_of(a, label) for a in allocs for label in labels) if b and b.value]
    log = max(ratios, default=1) / min(ratios, default=1) > 10  # a log axis keeps 0.5x and 2x equally far from 1
    fig, ax = plt.subplots(figsize=(3.2 + 1.6 * len(threads) * max(len(allocs), 3) / 5 + 1.6, 4.4),
                           constrained_layout=True)
    placed = grouped_bars(ax, labels, allocs, colours, bar_of, log=log, value_fmt=lambda v: "%.2f×" % v)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, zorder=5)
    ax.set_ylabel("throughput relative to system malloc (×%s)" % (", log scale" if log else ""))
    title = "%s: throughput relative to system malloc" % workload
    ax.set_title("%s\n%s" % (title, _title_suffix(data)), fontsize=11)
    _legend_right(ax)
    _save(fig, out_dir, "relative_" + workload, placed)
    return Figure("relative_" + workload, title,
                  "Paired ratio to system malloc: the median over reps of the allocator's ops/s divided by system "
                  "malloc's in the same rep (dashed line = 1.0, higher is faster); whiskers are its 95% bootstrap "
                  "interval. Pale hatched bars marked \"no diff.\" are not told apart from system malloc at "
                  "this noise (interval includes 1 or paired t-test p >= 0.05)."
                  + _missing_allocators_note(data, workload))


def scaling(data, workload, colours, out_dir):
    _need_summary(data)
    threads = data.threads_of(workload)
    if len(threads) < 2:
        raise Skip("%s ran at one thread count only" % workload)
    allocs = _workload_allocators(data, workload)
    fig, ax = plt.subplots(figsize=(7.6, 4.6), constrained_layout=True)
    dodge = 0.04 * (threads[-1] - threads[0])  # spread the allocators so their whiskers do not overlap
    failures = []
    for i, alloc in enumerate(allocs):
        shift = (i - (len(allocs) - 1) / 2) * dodge
        xs, meds, lows, highs = [], [], [], []
        for t in threads:
            row = data.summary_cell(workload, alloc, t)
            if row is None:
                continue
            note = _cell_note(data, workload, alloc, t, row)
            if note:
                failures.append("%s, %s: %s" % (alloc, threads_label(t), note))
            if row["median_ops_per_sec"] is None:
                ax.plot(t + shift, 0, marker="x", color=FAIL_COLOUR, markersize=9, mew=2, zorder=5, clip_on=False)
                continue
            xs.append(t + shift)
            meds.append(row["median_ops_per_sec"] / 1e6)
            lows.append(meds[-1] - row["min_ops_per_sec"] / 1e6)
            highs.append(row["max_ops_per_sec"] / 1e6 - meds[-1])
            if note:
                ax.plot(t + shift, meds[-1], marker="o", markersize=13, mfc="none", mec=FAIL_COLOUR, mew=1.5,
                        zorder=5)
        strong = alloc == HIGHLIGHT
        ax.errorbar(xs, meds, yerr=[lows, highs], label=alloc, color=colours[alloc], marker="o",
                    linewidth=2.6 if strong else 1.5, markersize=7 if strong else 5, capsize=3,
                    zorder=4 if strong else 3)
    ax.set_xticks(threads)
    ax.set_xlabel("threads")
    ax.set_ylabel("throughput (million ops/s)")
    ax.set_ylim(bottom=0)
    ax.margins(x=0.15)
    ax.grid(alpha=0.3)
    title = "%s: thread scaling" % workload
    ax.set_title("%s\n%s" % (title, _title_suffix(data)), fontsize=11)
    _legend_right(ax)
    if failures:
        fig.supxlabel("failed runs (red x: no ok run, red ring: some failed): " + "; ".join(failures),
                      fontsize=8, color=FAIL_COLOUR, wrap=True)
    _save(fig, out_dir, "scaling_" + workload)
    cores = (data.meta.get("machine") or {}).get("cores")
    return Figure("scaling_" + workload, title,
                  "Median ops/s against the thread count (whiskers: min to max; allocators drawn slightly apart "
                  "so that their whiskers do not hide each other)."
                  + (" The machine had %s cores." % cores if cores else "")
                  + _missing_allocators_note(data, workload))


def syscalls(data, workload, colours, out_dir):
    if data.syscalls is None:
        raise Skip("syscalls.csv is missing (run made with --no-strace?)")
    rows = [r for r in data.syscalls if r["workload"] == workload]
    if not rows:
        raise Skip("no syscall counts for %s" % workload)
    allocs = [a for a in data.allocators() if any(r["allocator"] == a for r in rows)]
    threads = sorted({r["threads"] for r in rows})
    fig, axes = plt.subplots(1, len(threads), figsize=(1.4 + 5.6 * len(threads), 4.6), sharey=True,
                             constrained_layout=True, squeeze=False)
    placed = []
    for ax, t in zip(axes[0], threads):
        counts = {a: data.syscall_counts(workload, a, t) for a in allocs}

        def bar_of(alloc, syscall):
            calls = counts[alloc].get(syscall)
            return Bar(calls) if calls is not None else None

        placed += grouped_bars(ax, SYSCALL_COLUMNS, allocs, colours, bar_of, log=True, value_fmt=lambda v: "%d" % v)
        ax.set_title(threads_label(t), fontsize=10)
        ax.set_xlabel("system call")
    axes[0][0].set_ylabel("calls per run (log scale)")
    _legend_right(axes[0][-1])
    title = "%s: system calls" % workload
    fig.suptitle("%s (strace -f -c, one untimed run per cell)\n%s" % (title, _title_suffix(data)), fontsize=11)
    _save(fig, out_dir, "syscalls_" + workload, placed)
    return Figure("syscalls_" + workload, title,
                  "Calls counted by strace -f -c in one untimed run of each cell, on a log axis; a count "
                  "of 0 is written as \"0\" at the foot of its slot, since it cannot be drawn on a log axis."
                  + _no_counts_note(data, allocs, "strace counts"))


def _per_workload_grid(data, name, title, ylabel, bar_of, colours, out_dir, log=False, value_fmt=None,
                       groups_of=None):
    """One panel per workload, groups_of(workload) -> [(label, key)] its groups of bars, bar_of(workload,
    allocator, key) -> Bar (default groups: the thread counts); a shared legend right of the first row."""
    workloads = [w for w in data.workloads() if _workload_allocators(data, w)]
    if not workloads:
        raise Skip("no summary rows")
    ncols = 2 if len(workloads) > 1 else 1
    nrows = (len(workloads) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols + 1.4, 3.9 * nrows), constrained_layout=True,
                             squeeze=False)
    placed = []
    for ax, workload in zip(axes.flat, workloads):
        groups = groups_of(workload) if groups_of else [(threads_label(t), t) for t in data.threads_of(workload)]
        by_label = dict(groups)
        placed += grouped_bars(ax, list(by_label), _workload_allocators(data, workload), colours,
                     lambda alloc, label, w=workload: bar_of(w, alloc, by_label[label]), log=log,
                     value_fmt=value_fmt)
        ax.set_title(workload, fontsize=10)
        ax.set_ylabel(ylabel)
    for ax in list(axes.flat)[len(workloads):]:
        ax.set_visible(False)
    _legend_right(axes[0][-1])
    fig.suptitle("%s\n%s" % (title, _title_suffix(data)), fontsize=11)
    _save(fig, out_dir, name, placed)


def _summary_bar(data, column, scale=1.0):
    def bar_of(workload, alloc, threads):
        row = data.summary_cell(workload, alloc, threads)
        if row is None:
            return None
        note = _cell_note(data, workload, alloc, threads, row)
        value = row[column]
        return Bar(None if value is None else value * scale, note=note, failed=True)
    return bar_of


def page_faults(data, colours, out_dir):
    _need_summary(data)
    title = "Minor page faults per run (median)"
    _per_workload_grid(data, "page_faults", title, "minor faults per run", _summary_bar(data, "median_minor_faults"),
                       colours, out_dir, value_fmt=lambda v: "%d" % v)
    return Figure("page_faults", title, "Median over the ok timed runs of the child's minor page faults "
                  "(rusage ru_minflt), whole run including warm-up.")


def peak_rss(data, colours, out_dir):
    _need_summary(data)
    title = "Peak resident set size (median)"
    _per_workload_grid(data, "peak_rss", title, "peak RSS (MiB)", _summary_bar(data, "median_max_rss_kb", 1 / 1024),
                       colours, out_dir, value_fmt=lambda v: "%.1f" % v)
    return Figure("peak_rss", title, "Median over the ok timed runs of the peak RSS measured by GNU time "
                  "(MiB = 1024 KiB).")


def branch_misses(data, colours, out_dir):
    _need_summary(data)
    if data.perf is None:
        raise Skip("perf.csv is missing (run made with --no-perf?)")
    sources = {r["branch_misses_source"] for r in data.summary if r["branch_misses_source"]}
    measured = [r for r in data.summary if r["branch_misses_per_op"] is not None]
    if not measured:
        raise Skip("no branch-miss count in this run (source: %s)" % (", ".join(sorted(sources)) or "none"))
    shown = sorted(sources - {"unsupported"})
    source_text = "; ".join(SOURCE_TEXT.get(s, s) for s in shown)

    def bar_of(workload, alloc, threads):
        row = data.summary_cell(workload, alloc, threads)
        if row is None:
            return None
        if row["branch_misses_per_op"] is None:
            failed = _cell_note(data, workload, alloc, threads, row) if not row["ok_runs"] else None
            return Bar(None, note=failed or row["branch_misses_source"] or "not measured", failed=bool(failed))
        return Bar(row["branch_misses_per_op"])

    title = "Branch misses per op (source: %s)" % ", ".join(shown)
    _per_workload_grid(data, "branch_misses", "Branch misses per op\nsource: " + source_text, "branch misses per op",
                       bar_of, colours, out_dir, value_fmt=lambda v: "%.3g" % v)
    caption = ("Mispredicted branches per malloc/free. Source: %s. Hardware counters that the machine cannot "
               "read are shown as \"unsupported\", never as zero." % source_text)
    if "cachegrind" in shown:
        caption += (" Cachegrind's predictor is a model, not this CPU: compare allocators with each other, "
                    "not with hardware numbers.")
    return Figure("branch_misses", title, caption)


def alloc_cost(data, colours, out_dir):
    _need_summary(data)
    if not any(r["instructions_per_malloc"] is not None for r in data.summary):
        raise Skip("no allocator cost in this run (callgrind not run: --no-perf, or valgrind missing)")

    def groups_of(workload):
        threads = data.threads_of(workload)
        return [(fn if len(threads) == 1 else "%s, %s" % (fn, threads_label(t)), (t, fn))
                for t in threads for fn in ("malloc", "free")]

    def bar_of(workload, alloc, key):
        threads, fn = key
        row = data.summary_cell(workload, alloc, threads)
        if row is None:
            return None
        return Bar(row["instructions_per_" + fn], note=None if row["instructions_per_" + fn] is not None
                   else "not measured")

    title = "Allocator instructions per malloc and per free"
    _per_workload_grid(data, "alloc_cost", title + " (callgrind, tiny profile)", "instructions per call", bar_of,
                       colours, out_dir, value_fmt=lambda v: "%.1f" % v, groups_of=groups_of)
    return Figure("alloc_cost", title,
                  "Instructions executed inside malloc and inside free per call, counted by callgrind on the tiny "
                  "profile: the allocator's library and the libc functions and syscalls it calls (for glibc, "
                  "what lies under libc's malloc and free), without the driver's own work. Deterministic for "
                  "the single-threaded count-bound workloads; the report's table adds the simulated D1 and LL "
                  "data misses per call.")


def change(rows, out_dir, name, subtitle):
    """The figure of compare/runs: per cell, each allocator's change (run B / run A) of its paired ratio to
    system malloc, whiskers = the change's 95% interval; pale hatched bars are no detectable difference.
    rows: compare/runs rows (workload, threads, allocator, change, ci_low, ci_high, verdict). Returns the PNG."""
    label = {(r["workload"], r["threads"]): "%s\n%s" % (r["workload"], threads_label(r["threads"])) for r in rows}
    groups = list(dict.fromkeys(label.values()))
    allocs = ordered({r["allocator"] for r in rows}, DEFAULT_ORDER)
    by_bar = {(label[(r["workload"], r["threads"])], r["allocator"]): r for r in rows}

    def bar_of(alloc, group):
        r = by_bar.get((group, alloc))
        if r is None:
            return None
        unsure = r["verdict"] == stats.NO_DIFFERENCE
        return Bar(r["change"], r["ci_low"], r["ci_high"], "no diff." if unsure else None, hatched=unsure)

    fig, ax = plt.subplots(figsize=(3.2 + 1.2 * len(groups) * max(len(allocs), 3) / 5 + 1.6, 4.6),
                           constrained_layout=True)
    log = max(r["ci_high"] for r in rows) / min(r["ci_low"] for r in rows) > 4  # a wide interval would flatten the rest
    placed = grouped_bars(ax, groups, allocs, colours_for(allocs), bar_of, log=log, value_fmt=lambda v: "%.2f×" % v)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, zorder=5)
    ax.set_ylabel("ratio to system malloc: run B ÷ run A%s" % (", log scale" if log else ""))
    ax.set_title("change of each allocator's speed relative to system malloc\n%s" % subtitle, fontsize=11)
    _legend_right(ax)
    _save(fig, out_dir, name, placed)
    return os.path.join(out_dir, name + ".png")


def render_all(data, out_dir):
    """Draw every figure the data allows into out_dir. Returns (figures, skipped) where skipped is a
    list of (figure name, reason)."""
    os.makedirs(out_dir, exist_ok=True)
    colours = colours_for(data.allocators())
    jobs = []
    programs = data.programs()  # in ops/s of their own units: drawn by program_plots.py
    for w in data.workloads():
        if w not in programs:
            jobs += [("throughput_" + w, throughput, (w,)), ("relative_" + w, relative, (w,))]
        if len(data.threads_of(w)) > 1 and w not in programs:
            jobs.append(("scaling_" + w, scaling, (w,)))
        jobs.append(("syscalls_" + w, syscalls, (w,)))
    jobs += [("page_faults", page_faults, ()), ("peak_rss", peak_rss, ()), ("branch_misses", branch_misses, ()),
             ("alloc_cost", alloc_cost, ())]
    figures, skipped = [], []
    for name, draw, args in jobs:
        try:
            figures.append(draw(data, *args, colours, out_dir))
        except Skip as why:
            skipped.append((name, str(why)))
    return figures, skipped
