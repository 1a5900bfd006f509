"""Statistics shared by compare/gate and compare/ab.

Speed comparisons here are made on ratios of runs measured next to each other (one pair = one run of each
side, back to back), because on a shared machine the absolute ops/s drift by 10% and more between minutes
while the ratio of two adjacent runs moves much less. Confidence intervals are percentile bootstraps of the
median (no normality assumption); the rank test is scipy's Mann-Whitney U on the unpaired samples.
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


def median(values):
    return float(np.median(np.asarray(values, dtype=float)))


def iqr(values):
    """(first quartile, third quartile)."""
    q1, q3 = np.percentile(np.asarray(values, dtype=float), [25, 75])
    return float(q1), float(q3)


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
    """Robust standard deviation of log(ratio): 1.4826 * MAD, which equals sigma for normal data."""
    logs = np.log(np.asarray(ratios, dtype=float))
    return float(1.4826 * np.median(np.abs(logs - np.median(logs))))


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


def verdict(ci, p_value, alpha=ALPHA):
    """faster / slower / no detectable difference for a ratio B/A: a side is called faster or slower only
    when the interval of the ratio excludes 1 AND the rank test agrees (p < alpha)."""
    low, high = ci
    if p_value < alpha and low > 1.0:
        return FASTER
    if p_value < alpha and high < 1.0:
        return SLOWER
    return NO_DIFFERENCE


class Comparison:
    """B against A from paired runs: a[i] and b[i] are ops/s measured next to each other."""

    def __init__(self, a, b):
        if len(a) != len(b) or len(a) < 2:
            raise ValueError("a comparison needs two equally long samples of at least 2 runs")
        self.a, self.b = list(a), list(b)
        self.ratios = pair_ratios(self.b, self.a)
        self.ratio = median(self.ratios)
        self.ci = bootstrap_median_ci(self.ratios)
        self.p_value = mann_whitney_p(self.a, self.b)
        self.verdict = verdict(self.ci, self.p_value)

    def reps_for(self, effect):
        return reps_needed(self.ratios, effect)
