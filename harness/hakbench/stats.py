"""Statistics of speed comparisons, shared by the harness (summary, report, run-against-run) and compare/gate,
compare/ab.

Speed comparisons here are made on ratios of runs measured next to each other (one pair = one run of each
side, back to back), because on a shared machine the absolute ops/s drift by 10% and more between minutes
while the ratio of two adjacent runs moves much less. Confidence intervals are percentile bootstraps of the
median (no normality assumption). The test behind a verdict on paired runs is a paired one: a one-sample
t-test of the log per-pair ratios against 0 (scipy), so that drift of the machine between pairs, which moves
both sides of a pair alike, does not hide a steady difference (an unpaired rank test sees that drift as noise:
on results/reference it called hakmem's 5-of-5 slower pairs against mimalloc, 0.93 [0.90, 0.98], no
difference). Independent samples (two runs of the matrix) use scipy's Mann-Whitney U.
"""
import math

import numpy as np
from scipy import stats

LEVEL = 0.95        # confidence level of every interval
ALPHA = 0.05        # significance level of the verdicts
POWER = 0.80        # power assumed when computing the reps a comparison needs
N_BOOT = 10000
SEED = 20240601     # fixed, so the same data always give the same interval

FASTER, SLOWER, NO_DIFFERENCE = "faster", "slower", "no detectable difference"

# The cross-allocator tables (run_all's summary, compare/runs) call a difference only when its whole interval
# lies more than TABLE_MARGIN beyond 1 (criterion.rs's "noise threshold"): on this 2-core VM the paired ratio
# of one cell moved by up to 6% between two back-to-back default runs (larson, 2 threads: 1.04 [1.01, 1.10],
# then 0.98 [0.85, 1.23]), so a smaller difference is a property of the run, not of the allocators. It does
# not absorb a state of the machine that lasts a whole run: in four later back-to-back runs (README, Reference
# run) 1-thread larson went 1.07 [1.04, 1.09], 0.88 [0.80, 1.00], 1.01 [0.95, 1.03]; an interval that covers
# that needs reps from separate runs (Pooled, below: harness/merge.py of several runs).
# compare/ab and compare/gate keep margin 0: a knob A/B test is made to see 1% effects with enough pairs.
TABLE_MARGIN = 0.03


def median(values):
    return float(np.median(np.asarray(values, dtype=float)))


def iqr(values):
    """(first quartile, third quartile)."""
    q1, q3 = np.percentile(np.asarray(values, dtype=float), [25, 75])
    return float(q1), float(q3)


def run_order(sides, round_no):
    """The sides (allocators, builds) in the order round round_no (0, 1, ...) runs them: the rows of a Williams
    design. Over n consecutive rounds of n sides each one runs once in each position, and each side runs right
    after each other one equally often (once in n rounds for an even n, twice in 2n for an odd one; two sides:
    AB, BA, BA, AB). With one fixed order a side always runs in the same place, after the same side, and an
    effect of the position (a machine slowing under sustained load) or of the run before counts against it in
    every pair: run_all's matrix ran HAKMEM last in every rep, right after tcmalloc."""
    n = len(sides)
    if n == 0:
        return []
    first, low, high = [0], 1, n - 1   # 0, 1, n-1, 2, n-2, ...
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    r = round_no % (2 * n)
    row = [(i + r) % n for i in first]
    if r >= n:
        row.reverse()
    return [sides[i] for i in row]


def pair_ratios(numerators, denominators):
    """Per-pair ratios numerators[i] / denominators[i] of two equally long lists."""
    if len(numerators) != len(denominators):
        raise ValueError("pair_ratios: %d numerators, %d denominators" % (len(numerators), len(denominators)))
    return [n / d for n, d in zip(numerators, denominators)]


def bootstrap_median_ci(values, level=LEVEL, n_boot=N_BOOT, seed=SEED):
    """Percentile-bootstrap confidence interval (low, high) of the median of values."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("bootstrap of an empty sample")
    rng = np.random.default_rng(seed)
    resampled = data[rng.integers(0, data.size, size=(n_boot, data.size))]
    medians = np.median(resampled, axis=1)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(medians, [tail, 100.0 - tail])
    return float(low), float(high)


def mann_whitney_p(a, b):
    """Two-sided Mann-Whitney U p-value of samples a and b (1.0 when both are constant and equal)."""
    if len(set(a) | set(b)) == 1:
        return 1.0
    return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def paired_p(ratios):
    """Two-sided p-value of a one-sample t-test of log(ratios) against 0 (ratio 1): the paired test of runs
    measured next to each other. Ratios all equal give 1.0 at ratio 1 and 0.0 elsewhere (no spread at all)."""
    logs = np.log(np.asarray(ratios, dtype=float))
    if logs.size < 2:
        raise ValueError("a paired test needs at least 2 pairs")
    if np.ptp(logs) == 0:
        return 1.0 if logs[0] == 0 else 0.0
    return float(stats.ttest_1samp(logs, 0.0).pvalue)


def block_drift(values, blocks, min_block):
    """Largest relative deviation of the median of a block of consecutive values (the values cut into
    `blocks` equal blocks, in measuring order) from the median of all; 0 when a block would hold fewer
    than min_block values."""
    size = len(values) // blocks
    if size < min_block:
        return 0.0
    overall = median(values)
    return max(abs(median(values[i * size:(i + 1) * size]) / overall - 1) for i in range(blocks))


def log_spread(ratios):
    """Robust standard deviation of log(ratio): the MAD scaled to equal sigma for normal data."""
    return float(stats.median_abs_deviation(np.log(np.asarray(ratios, dtype=float)), scale="normal"))


def reps_needed(ratios, effect, alpha=ALPHA, power=POWER):
    """Pairs needed so the median of per-pair ratios detects a relative change `effect` (0.02 = 2%)
    with a two-sided test at level alpha and the given power, at the noise of the observed ratios.

    The median of n normal values has standard error sigma * sqrt(pi / (2 n)); solving
    ln(1 + effect) = (z_{1-alpha/2} + z_power) * that error for n gives the figure (at least 3)."""
    if effect <= 0:
        raise ValueError("effect must be > 0")
    sigma = log_spread(ratios)
    z = stats.norm.ppf(1.0 - alpha / 2.0) + stats.norm.ppf(power)
    n = (math.pi / 2.0) * (z * sigma / math.log1p(effect)) ** 2
    return max(3, math.ceil(n))


def verdict(ci, p_value, alpha=ALPHA, margin=0.0):
    """faster / slower / no detectable difference for a ratio B/A: a side is called faster or slower only
    when the interval of the ratio lies beyond 1 by more than margin (above 1 + margin, or below
    1 / (1 + margin)) AND the test agrees (p < alpha)."""
    if margin < 0:
        raise ValueError("margin must be >= 0")
    low, high = ci
    if p_value < alpha and low > 1.0 + margin:
        return FASTER
    if p_value < alpha and high < 1.0 / (1.0 + margin):
        return SLOWER
    return NO_DIFFERENCE


class Comparison:
    """B against A from paired runs: a[i] and b[i] are ops/s measured next to each other; the median of the
    per-pair ratios b[i] / a[i], its bootstrap interval, the paired test's p and the verdict (with margin,
    see verdict)."""

    def __init__(self, a, b, margin=0.0):
        if len(a) != len(b) or len(a) < 2:
            raise ValueError("a comparison needs two equally long samples of at least 2 runs")
        self.a, self.b = list(a), list(b)
        self.ratios = pair_ratios(self.b, self.a)
        self.ratio = median(self.ratios)
        self.ci = bootstrap_median_ci(self.ratios)
        self.p_value = paired_p(self.ratios)
        self.verdict = verdict(self.ci, self.p_value, margin=margin)

    def reps_for(self, effect):
        return reps_needed(self.ratios, effect)


def hierarchical_median_ci(groups, level=LEVEL, n_boot=N_BOOT, seed=SEED):
    """Percentile-bootstrap interval (low, high) of the median of the group medians, resampling the groups
    (runs) and, inside each group drawn, its values (reps): a two-stage bootstrap with the run as a random
    effect, so the interval widens with the spread between runs, which the interval of one run cannot see."""
    groups = [np.asarray(g, dtype=float) for g in groups]
    if len(groups) < 2 or any(g.size == 0 for g in groups):
        raise ValueError("a two-stage bootstrap needs at least 2 groups, none empty")
    rng = np.random.default_rng(seed)
    n = len(groups)
    drawn = rng.integers(0, n, size=(n_boot, n))   # the groups of each replicate
    run_medians = np.empty((n_boot, n))            # each drawn group's median of its own resample
    for g, values in enumerate(groups):
        where = drawn == g
        run_medians[where] = np.median(values[rng.integers(0, values.size, size=(int(where.sum()), values.size))],
                                       axis=1)
    medians = np.median(run_medians, axis=1)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(medians, [tail, 100.0 - tail])
    return float(low), float(high)


class Pooled:
    """B against A over several runs, each a list of per-pair ratios b/a (Comparison.ratios of one run): the
    median of the runs' medians, its two-stage bootstrap interval (hierarchical_median_ci), the p of a
    one-sample t-test of the log run medians (the runs are the independent units; paired_p), and the verdict
    (with margin, see verdict). A verdict here holds against the variation between runs, not only within one."""

    def __init__(self, runs, margin=0.0):
        if len(runs) < 2 or any(len(r) < 1 for r in runs):
            raise ValueError("pooling needs at least 2 runs, each with a ratio")
        self.runs = [list(r) for r in runs]
        self.run_medians = [median(r) for r in self.runs]
        self.ratio = median(self.run_medians)
        self.ci = hierarchical_median_ci(self.runs)
        self.p_value = paired_p(self.run_medians)
        self.verdict = verdict(self.ci, self.p_value, margin=margin)


def relative_width(ratio, ci):
    """Width of an interval as a fraction of the ratio it brackets (0.1 = 10%)."""
    return (ci[1] - ci[0]) / ratio


# A sample of speeds is noisy when its interquartile range exceeds NOISY_SPREAD of its median, or bimodal when
# its sorted values split, with at least MODE_MIN values on each side, at a gap wider than MODE_GAP of the
# median: on a shared VM a CPU-bound run lands in one of two speed states (e.g. 0.57 s or 0.77 s), and the
# median of a few such runs then says which state was hit more often, not how fast the allocator is.
NOISY_SPREAD = 0.10
MODE_GAP = 0.10
MODE_MIN = 2


def noise(values):
    """Why the sample is too noisy to stand alone ("bimodal: ...", "spread: ..."), or None."""
    data = np.sort(np.asarray(values, dtype=float))
    if data.size < 2:
        return None
    mid = float(np.median(data))
    gaps = np.diff(data)[MODE_MIN - 1:data.size - MODE_MIN]  # gaps leaving MODE_MIN values on each side
    if gaps.size and gaps.max() > MODE_GAP * mid:
        cut = int(np.argmax(gaps)) + MODE_MIN
        low, high = float(np.median(data[:cut])), float(np.median(data[cut:]))
        return "bimodal: %d runs %.0f%% below the other %d" % (cut, 100 * (1 - low / high), data.size - cut)
    q1, q3 = iqr(data)
    if q3 - q1 > NOISY_SPREAD * mid:
        return "spread: IQR %.0f%% of the median" % (100 * (q3 - q1) / mid)
    return None


def bootstrap_ratio_ci(a, b, level=LEVEL, n_boot=N_BOOT, seed=SEED):
    """Percentile-bootstrap interval (low, high) of median(b) / median(a) for two independent samples."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size == 0 or b.size == 0:
        raise ValueError("bootstrap of an empty sample")
    rng = np.random.default_rng(seed)
    medians_a = np.median(a[rng.integers(0, a.size, size=(n_boot, a.size))], axis=1)
    medians_b = np.median(b[rng.integers(0, b.size, size=(n_boot, b.size))], axis=1)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(medians_b / medians_a, [tail, 100.0 - tail])
    return float(low), float(high)


class Change:
    """B against A from two independent samples (e.g. an allocator's per-rep ratios to glibc in two runs):
    median(b) / median(a), its bootstrap interval, the Mann-Whitney p of a and b, and the verdict (with
    margin, see verdict)."""

    def __init__(self, a, b, margin=0.0):
        if len(a) < 2 or len(b) < 2:
            raise ValueError("a change needs two samples of at least 2 values")
        self.a, self.b = list(a), list(b)
        self.ratio = median(self.b) / median(self.a)
        self.ci = bootstrap_ratio_ci(self.a, self.b)
        self.p_value = mann_whitney_p(self.a, self.b)
        self.verdict = verdict(self.ci, self.p_value, margin=margin)
