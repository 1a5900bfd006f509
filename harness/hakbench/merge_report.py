"""The merged report of runs on several machines: report.md, summary.csv (every machine's rows), ratios.csv
(HAKMEM against each peer on each machine) and one cross-machine figure per workload.
It draws and tabulates with the helpers of the single-run report (report_md, plots), so both look alike."""
import os

import matplotlib.pyplot as plt

from . import csvfiles, plots, report_md, schema, stats
from .merge import HAKMEM, pooled_best_peers
from .run_data import ordered
from .allocators import DEFAULT_ORDER
from .workloads import NAMES


def _used(members):
    return [m for m in members if m.data]


def write_summary_csv(members, path):
    """Every usable member's summary.csv rows, after columns naming the machine."""
    rows = [dict(row, machine=m.label, shard=m.name, host=m.host) for m in _used(members) for row in m.data.summary]
    csvfiles.write_all(path, schema.MERGED_SUMMARY, rows)


def write_ratios_csv(ratios, path):
    csvfiles.write_all(path, schema.MERGED_RATIOS, [
        {"workload": r.workload, "threads": r.threads, "machine": r.member.label, "shard": r.member.name,
         "host": r.member.host, "run_id": r.member.data.run_id, "peer": r.peer,
         "hakmem_median_ops_per_sec": r.hakmem, "peer_median_ops_per_sec": r.other,
         "kind": r.kind, "ratio": r.value, "ci_low": r.low, "ci_high": r.high, "verdict": r.verdict}
        for r in ratios])


def write_pooled_csv(pooled, path):
    best = pooled_best_peers(pooled)
    csvfiles.write_all(path, schema.MERGED_POOLED, [
        {"workload": p.workload, "threads": p.threads, "peer": p.peer, "runs": len(p.members),
         "ratio": p.pooled.ratio, "ci_low": p.pooled.ci[0], "ci_high": p.pooled.ci[1],
         "p_value": p.pooled.p_value, "verdict": p.pooled.verdict,
         "best_peer": int(best[(p.workload, p.threads)] is p),
         "run_ratios": " ".join("%.4f" % v for v in p.pooled.run_medians)} for p in pooled])


POOLED_GROUP = "all runs pooled"


def cross_machine_figure(workload, ratios, out_dir, pooled=()):
    """HAKMEM / peer per machine (groups) and peer (bars), one panel per thread count; with pooled ratios, a last
    group of the ratios pooled over the runs."""
    mine = [r for r in ratios if r.workload == workload]
    if not mine:
        raise plots.Skip("no run of %s has a hakmem row and a peer" % workload)
    threads = sorted({r.threads for r in mine})
    machines = list(dict.fromkeys(r.member.label for r in mine))
    pooled = {(p.threads, p.peer): p.pooled for p in pooled if p.workload == workload}
    if pooled:
        machines.append(POOLED_GROUP)
    peers = ordered({r.peer for r in mine}, DEFAULT_ORDER)
    colours = plots.colours_for(peers)
    cell = {(r.threads, r.member.label, r.peer): r for r in mine}
    values = [r.value for r in mine if r.value]
    log = bool(values) and max(values) / min(values) > 10
    width = 1.6 + 0.45 * len(machines) * max(len(peers), 2)
    fig, axes = plt.subplots(1, len(threads), figsize=(width * len(threads) + 1.8, 4.6), squeeze=False,
                             constrained_layout=True)
    placed = []
    for ax, t in zip(axes[0], threads):
        def bar_of(peer, machine, t=t):
            if machine == POOLED_GROUP:
                p = pooled.get((t, peer))
                return plots.Bar(p.ratio, *p.ci, hatched=p.verdict == stats.NO_DIFFERENCE) if p else None
            r = cell.get((t, machine, peer))
            if r is None:
                return None
            if r.value is None:
                return plots.Bar(None, note="no ok run", failed=True)
            return plots.Bar(r.value, r.low, r.high)
        placed += plots.grouped_bars(ax, machines, peers, colours, bar_of, log=log, value_fmt=lambda v: "%.2f×" % v)
        ax.axhline(1.0, color="black", linestyle="--", linewidth=1, zorder=5)
        ax.set_title(plots.threads_label(t), fontsize=10)
        ax.tick_params(axis="x", labelrotation=15)
    axes[0][0].set_ylabel("hakmem ops/s ÷ peer ops/s (×%s)" % (", log scale" if log else ""))
    title = "%s: hakmem against each peer, per machine" % workload
    fig.suptitle(title, fontsize=11)
    legend = axes[0][-1].legend(title="peer", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    plots._bold_highlight(legend)
    name = "cross_machine_" + workload
    plots._save(fig, out_dir, name, placed)
    caption = ("HAKMEM's ops/s divided by each peer's, on each machine (dashed line = 1.0: as fast; above: HAKMEM "
               "faster). " + _kinds_text(mine))
    if pooled:
        caption += (" The last group pools the runs (%s), each run a random effect; a pale hatched bar is no "
                    "detectable difference." % POOLED_TEXT)
    return plots.Figure(name, title, caption)


def _kinds_text(ratios):
    kinds = {r.kind for r in ratios if r.value is not None}
    text = []   # -> "Ratios: ..."
    if "paired" in kinds:
        text.append("the median of the per-rep ratios (runs of the same rep are measured back to back), whiskers "
                    "and brackets its 95% bootstrap interval")
    if "medians" in kinds:
        text.append("%sthe ratio of the two medians, without an interval (no paired ratio: no ratios.csv, "
                    "or fewer than 2 reps in which both ran ok)"
                    % ("where marked *, " if "paired" in kinds else ""))
    return "Ratios: " + ("; ".join(text) if text else "none, no cell has ok runs of both") + "."


def _fmt_ratio(r):
    if r.value is None:
        return report_md.NONE
    if r.kind == "paired":
        return "%.2f [%.2f, %.2f] %s" % (r.value, r.low, r.high, r.verdict)
    return "%.2f*" % r.value


def _ratio_table(workload, ratios):
    mine = [r for r in ratios if r.workload == workload]
    peers = ordered({r.peer for r in mine}, DEFAULT_ORDER)
    rows = {}
    for r in mine:
        rows.setdefault((r.member.label, r.threads), {})[r.peer] = r
    return report_md._table(["machine", "threads"] + ["hakmem ÷ %s" % p for p in peers],
                            [[label, t] + [_fmt_ratio(cells[p]) if p in cells else report_md.NONE for p in peers]
                             for (label, t), cells in rows.items()]) + ["", _kinds_text(mine)]


POOLED_TEXT = ("the median of the runs' median per-rep ratios; its 95%% interval resamples the runs and, inside "
               "each, the reps; the verdict also needs p < 0.05 in a t-test of the runs' log ratios, and an interval "
               "more than %d%% beyond 1" % round(100 * stats.TABLE_MARGIN))


def _pooled_section(pooled):
    """HAKMEM against its best peer over all runs: a verdict that holds against the variation between runs."""
    if not pooled:
        return []
    best = pooled_best_peers(pooled)
    out = ["## HAKMEM against its best peer, all runs pooled", "",
           "One run's interval covers the noise within that run, not a state of the machine that lasts a whole run "
           "(or a machine that differs): here each run counts as one random draw. Ratio: %s. Per run: each "
           "run's median per-rep ratio, in measuring order. All peers: pooled.csv." % POOLED_TEXT, ""]
    out += report_md._table(
        ["workload", "threads", "best peer", "runs", "hakmem ÷ best peer [95% CI]", "p", "verdict", "per run"],
        [[p.workload, p.threads, p.peer, len(p.members), "%.2f [%.2f, %.2f]" % ((p.pooled.ratio,) + p.pooled.ci),
          "%.3g" % p.pooled.p_value, p.pooled.verdict, ", ".join("%.2f" % v for v in p.pooled.run_medians)]
         for p in best.values()])
    return out + [""]


def _machine(m):
    machine = m.data.meta.get("machine") or {}
    return [machine.get(k) for k in ("cpu_model", "cores", "kernel")]


def _shards_section(members):
    out = ["## Machines", ""]
    out += report_md._table(
        ["machine", "shard", "host", "CPU", "cores", "kernel", "run", "status"],
        [[m.label, m.name, m.host] + (_machine(m) if m.data else [report_md.NONE] * 3)
         + [m.data.run_id if m.data else os.path.basename(m.run_dir), "ok" if m.data else "**%s**" % m.problem]
         for m in members])
    left_out = [m for m in members if not m.data]
    if left_out:
        out += ["", "**Not in the tables and figures below:** " + "; ".join(
            "%s (%s)" % (m.name, m.problem) for m in left_out) + "."]
    return out + [""]


def _parameters_section(params):
    out = ["## Parameters (the same in every run)", ""]
    for key, value in params.items():
        if isinstance(value, dict):
            value = ", ".join("%s=%s" % kv for kv in sorted(value.items())) or "(none)"
        elif isinstance(value, list) and key == "workload parameters":
            out += ["- %s:" % key] + ["  - `%s`" % v for v in value]
            continue
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "(none)"
        out.append("- %s: %s" % (key, report_md.NONE if value is None else value))
    return out + [""]


def _versions_section(members):
    """The allocator versions of each machine, which may differ (Debian packages of each node)."""
    used = _used(members)
    names = ordered({a for m in used for a in m.data.meta.get("allocators") or {}}, DEFAULT_ORDER)

    def version(m, name):
        info = (m.data.meta.get("allocators") or {}).get(name) or {}
        return info.get("version") or ("not available: %s" % info.get("reason") if info else report_md.NONE)

    return (["## Allocator versions per machine", ""]
            + report_md._table(["machine"] + names, [[m.label] + [version(m, n) for n in names] for m in used]) + [""])


def write(members, params, ratios, pooled, out_dir, title):
    """Write out_dir/{report.md, summary.csv, ratios.csv, pooled.csv, cross_machine_<workload>.png/svg}; return
    (figures, skipped figures)."""
    os.makedirs(out_dir, exist_ok=True)
    used = _used(members)
    write_summary_csv(members, os.path.join(out_dir, "summary.csv"))
    write_ratios_csv(ratios, os.path.join(out_dir, "ratios.csv"))
    write_pooled_csv(pooled, os.path.join(out_dir, "pooled.csv"))
    workloads = ordered({w for m in used for w in m.data.workloads()}, NAMES)

    out = ["# %s" % title, "",
           "%d of %d runs merged. Every ratio compares allocators measured on the same machine; absolute figures "
           "of different machines are not comparable, their ratios are." % (len(used), len(members)), ""]
    out += _shards_section(members) + _pooled_section(pooled) + _parameters_section(params) + _versions_section(members)
    figures, skipped = [], []
    out += ["## HAKMEM against each peer, per machine", ""]
    for workload in workloads:
        out += ["### %s" % workload, ""] + _ratio_table(workload, ratios) + [""]
        try:
            fig = cross_machine_figure(workload, ratios, out_dir, pooled)
        except plots.Skip as why:
            skipped.append(("cross_machine_" + workload, str(why)))
            out += ["No figure: %s." % why, ""]
            continue
        figures.append(fig)
        out += ["![%s](%s.png)" % (fig.title, fig.name), "", "%s ([SVG](%s.svg))" % (fig.caption, fig.name), ""]

    out += ["## Per machine", ""]
    for m in used:
        report = os.path.join(m.run_dir, "report.md")
        link = " ([its report](%s))" % os.path.relpath(report, out_dir) if os.path.exists(report) else ""
        out += ["### %s%s" % (m.label, link), ""]
        for workload in m.data.workloads():
            rows = report_md._summary_rows(m.data, workload)
            out += ["#### %s" % workload, ""] + report_md._throughput_table(rows) + [""] \
                + report_md._resources_table(rows) + [""]
        failed = m.data.failed_runs()
        out += ["Failed runs: %s." % (", ".join("%s %s threads=%s rep %s: %s" % (
            r["workload"], r["allocator"], r["threads"], r["rep"], r["status"]) for r in failed) or "none"), ""]
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write("\n".join(out))
    return figures, skipped
