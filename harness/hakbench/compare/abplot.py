"""The figure of an A/B comparison or a knob sweep: ops/s of every side (median with its 95% interval, and
every run as a dot) and each side's ratio to the reference side with its 95% interval."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend chosen first)


def draw(path, title, xlabel, reference, sides):
    """sides: list of dicts with label, runs (ops/s list), median, ci (low, high), ratio, ratio_ci
    (ratio None for the reference side, the first, named `reference` on the ratio axis)."""
    xs = list(range(len(sides)))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(5.0, 1.3 * len(sides) + 3), 7), sharex=True)
    for x, side in zip(xs, sides):
        top.plot([x] * len(side["runs"]), [v / 1e6 for v in side["runs"]], ".", color="0.6", zorder=1)
    top.errorbar(xs, [s["median"] / 1e6 for s in sides],
                 yerr=[[(s["median"] - s["ci"][0]) / 1e6 for s in sides],
                       [(s["ci"][1] - s["median"]) / 1e6 for s in sides]],
                 fmt="o-" if len(sides) > 2 else "o", color="C0", capsize=5, zorder=2, label="median, 95% CI")
    top.set_ylabel("Mops/s")
    top.legend(loc="best")
    top.set_title(title, fontsize=10)
    top.grid(alpha=0.3)

    bottom.axhline(1.0, color="0.5", linewidth=1)
    compared = [(x, s) for x, s in zip(xs, sides) if s["ratio"] is not None]
    bottom.errorbar([x for x, _ in compared], [s["ratio"] for _, s in compared],
                    yerr=[[s["ratio"] - s["ratio_ci"][0] for _, s in compared],
                          [s["ratio_ci"][1] - s["ratio"] for _, s in compared]],
                    fmt="s", color="C1", capsize=5, label="median of paired ratios, 95% CI")
    bottom.set_ylabel("ratio to %s" % reference)
    bottom.legend(loc="best")
    bottom.grid(alpha=0.3)
    bottom.set_xlim(-0.5, len(sides) - 0.5)
    bottom.set_xticks(xs)
    bottom.set_xticklabels([s["label"] for s in sides], rotation=20 if len(sides) > 4 else 0)
    bottom.set_xlabel(xlabel)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
