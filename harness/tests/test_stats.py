"""The statistics of harness/hakbench/stats.py on data whose answers are known."""
import math
import unittest
from statistics import NormalDist

import numpy as np

from hakbench import stats


class Basics(unittest.TestCase):
    def test_median_and_iqr(self):
        self.assertEqual(stats.median([5, 1, 3, 2, 4]), 3.0)
        self.assertEqual(stats.iqr([1, 2, 3, 4, 5]), (2.0, 4.0))

    def test_pair_ratios(self):
        self.assertEqual(stats.pair_ratios([2, 9], [1, 3]), [2.0, 3.0])
        with self.assertRaises(ValueError):
            stats.pair_ratios([1, 2], [1])


class Bootstrap(unittest.TestCase):
    def test_constant_sample_gives_a_point(self):
        self.assertEqual(stats.bootstrap_median_ci([2.5] * 7), (2.5, 2.5))

    def test_interval_matches_normal_theory(self):
        # The median of n normal values has standard error sigma * sqrt(pi / (2 n)): for n = 400,
        # sigma = 1, the 95% interval is about +-0.123 around the median.
        data = np.random.default_rng(1).normal(10.0, 1.0, 400)
        low, high = stats.bootstrap_median_ci(data)
        half = 1.96 * math.sqrt(math.pi / 800)
        self.assertLess(low, np.median(data))
        self.assertGreater(high, np.median(data))
        self.assertAlmostEqual((high - low) / 2, half, delta=0.3 * half)

    def test_same_data_same_interval(self):
        data = [1.0, 1.2, 0.9, 1.1, 1.05]
        self.assertEqual(stats.bootstrap_median_ci(data), stats.bootstrap_median_ci(data))


class Drift(unittest.TestCase):
    def test_block_medians_against_the_overall_median(self):
        values = [1.0] * 5 + [1.2] * 5 + [1.1] * 5  # block medians 1.0, 1.2, 1.1; overall 1.1
        self.assertAlmostEqual(stats.block_drift(values, 3, 5), 0.1 / 1.1)
        self.assertEqual(stats.block_drift(values, 3, 6), 0.0)  # blocks of 5 are too small
        self.assertEqual(stats.block_drift([2.0] * 30, 3, 5), 0.0)


class MannWhitney(unittest.TestCase):
    def test_separated_samples_exact_p(self):
        # all 5 of b above all 5 of a: exact two-sided p = 2 / C(10, 5) = 2/252
        self.assertAlmostEqual(stats.mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 2 / 252, places=6)

    def test_identical_samples(self):
        self.assertEqual(stats.mann_whitney_p([3, 3, 3], [3, 3, 3]), 1.0)
        self.assertGreater(stats.mann_whitney_p([1, 3, 5, 7], [2, 4, 6, 8]), 0.5)


class RepsNeeded(unittest.TestCase):
    def test_formula(self):
        # log ratios -a, 0, a have MAD a, so sigma = a / z(0.75) = 1.4826 a; pick sigma = 0.02. For a 2%
        # effect: n = pi/2 * ((1.95996 + 0.84162) * 0.02 / ln 1.02)^2 = 12.58 -> 13.
        a = 0.02 * NormalDist().inv_cdf(0.75)
        ratios = [math.exp(-a), 1.0, math.exp(a)]
        self.assertAlmostEqual(stats.log_spread(ratios), 0.02, places=9)
        self.assertEqual(stats.reps_needed(ratios, 0.02), 13)
        self.assertEqual(stats.reps_needed(ratios, 0.01), 50)  # half the effect: ~4x the runs

    def test_no_noise_needs_the_minimum(self):
        self.assertEqual(stats.reps_needed([1.0] * 5, 0.02), 3)

    def test_that_many_reps_do_detect_the_effect(self):
        # Simulated pairs with 2% log-noise and a 3% true effect: at the computed n, the median of the
        # ratios' interval excludes 1 in most trials (the design aims at 80%).
        rng = np.random.default_rng(7)
        n = stats.reps_needed(np.exp(rng.normal(0, 0.02, 2000)), 0.03)
        hits = sum(stats.bootstrap_median_ci(np.exp(rng.normal(math.log(1.03), 0.02, n)), n_boot=2000)[0] > 1
                   for _ in range(100))
        self.assertGreaterEqual(hits, 65, "n=%d detected the effect in %d of 100 trials" % (n, hits))


class Verdicts(unittest.TestCase):
    def test_rules(self):
        self.assertEqual(stats.verdict((1.01, 1.05), 0.01), stats.FASTER)
        self.assertEqual(stats.verdict((0.90, 0.99), 0.01), stats.SLOWER)
        self.assertEqual(stats.verdict((0.98, 1.03), 0.01), stats.NO_DIFFERENCE)
        self.assertEqual(stats.verdict((1.01, 1.05), 0.20), stats.NO_DIFFERENCE)  # the test disagrees

    def test_false_alarms_are_rare_on_noise(self):
        # Identical sides with 10% noise per run: the verdict claims a difference in few trials (<= ~5%).
        rng = np.random.default_rng(3)
        claims = 0
        for _ in range(200):
            a, b = rng.normal(1e7, 1e6, 10), rng.normal(1e7, 1e6, 10)
            claims += stats.Comparison(a, b).verdict != stats.NO_DIFFERENCE
        self.assertLessEqual(claims, 16)

    def test_paired_test_sees_through_drift(self):
        # The machine's speed drifts by 30% between reps, hakmem is 6-8% slower than the peer in every rep:
        # the unpaired samples overlap (Mann-Whitney p > 0.05), the paired test finds the steady difference.
        a = [10e6, 13e6, 10.5e6, 12.8e6, 10.2e6, 13.1e6]
        b = [v * r for v, r in zip(a, [0.93, 0.94, 0.92, 0.93, 0.94, 0.92])]
        self.assertGreater(stats.mann_whitney_p(a, b), 0.05)
        comparison = stats.Comparison(a, b)
        self.assertLess(comparison.p_value, 0.001)
        self.assertEqual(comparison.verdict, stats.SLOWER)

    def test_paired_p_known_values(self):
        self.assertEqual(stats.paired_p([1.0, 1.0, 1.0]), 1.0)
        self.assertEqual(stats.paired_p([2.0, 2.0, 2.0]), 0.0)
        # log ratios +-0.1 around 0: t = 0, p = 1
        self.assertAlmostEqual(stats.paired_p([math.exp(0.1), math.exp(-0.1)]), 1.0)
        self.assertRaises(ValueError, stats.paired_p, [1.1])

    def test_a_twofold_slowdown_is_found(self):
        a = [10e6, 11e6, 9.5e6, 10.2e6, 10.8e6, 9.9e6]
        comparison = stats.Comparison(a, [v / 2 for v in a])
        self.assertEqual(comparison.verdict, stats.SLOWER)
        self.assertAlmostEqual(comparison.ratio, 0.5)


class Margin(unittest.TestCase):
    """The tables' margin: a steady 2% difference is significant but not called; 5% and 2x are."""
    A = [10e6, 11e6, 9.5e6, 10.2e6, 10.8e6, 9.9e6]

    def steady(self, factor, jitter=(1.0, 1.002, 0.998, 1.001, 0.999, 1.0)):
        return [v * factor * j for v, j in zip(self.A, jitter)]

    def test_a_small_steady_difference_is_within_the_margin(self):
        b = self.steady(1.02)
        self.assertEqual(stats.Comparison(self.A, b).verdict, stats.FASTER)
        self.assertEqual(stats.Comparison(self.A, b, margin=stats.TABLE_MARGIN).verdict, stats.NO_DIFFERENCE)
        slower = self.steady(1 / 1.02)
        self.assertEqual(stats.Comparison(self.A, slower, margin=stats.TABLE_MARGIN).verdict, stats.NO_DIFFERENCE)

    def test_differences_beyond_the_margin_are_called(self):
        for factor, expected in ((1.05, stats.FASTER), (1 / 1.05, stats.SLOWER), (2.0, stats.FASTER),
                                 (0.5, stats.SLOWER)):
            comparison = stats.Comparison(self.A, self.steady(factor), margin=stats.TABLE_MARGIN)
            self.assertEqual(comparison.verdict, expected, factor)

    def test_an_interval_straddling_the_margin_is_not_called(self):
        self.assertEqual(stats.verdict((1.01, 1.10), 0.001, margin=0.03), stats.NO_DIFFERENCE)
        self.assertEqual(stats.verdict((1.04, 1.10), 0.001, margin=0.03), stats.FASTER)
        self.assertEqual(stats.verdict((0.90, 0.96), 0.001, margin=0.03), stats.SLOWER)
        self.assertRaises(ValueError, stats.verdict, (1.1, 1.2), 0.001, margin=-0.1)


class RunOrder(unittest.TestCase):
    def test_each_side_in_each_place_and_after_each_other_equally_often(self):
        for n in range(1, 8):
            sides = list("abcdefg"[:n])
            rows = [stats.run_order(sides, r) for r in range(2 * n)]
            for row in rows:
                self.assertEqual(sorted(row), sides)
            for place in range(n):
                self.assertEqual(sorted(row[place] for row in rows[:n]), sides, (n, place))
            design = rows[:n] if n % 2 == 0 else rows
            after = {}
            for row in design:
                for x, y in zip(row, row[1:]):
                    after[(x, y)] = after.get((x, y), 0) + 1
            self.assertEqual(len(after), n * (n - 1), n)
            self.assertEqual(set(after.values()) or {1 if n % 2 == 0 else 2}, {1 if n % 2 == 0 else 2}, n)

    def test_two_sides_and_none(self):
        self.assertEqual(["".join(stats.run_order(["A", "B"], r)) for r in range(6)],
                         ["AB", "BA", "BA", "AB", "AB", "BA"])
        self.assertEqual(stats.run_order([], 3), [])


class Pooled(unittest.TestCase):
    """Several runs pooled, each run a random effect: a verdict that holds against the variation between runs."""

    @staticmethod
    def run_at(center, jitter=(1.0, 1.003, 0.997, 1.002, 0.998)):
        return [center * j for j in jitter]

    def test_runs_that_disagree_are_no_detectable_difference(self):
        # Each run alone is tight; four back-to-back runs of 1-thread larson put the ratio at 1.07, 1.07, 0.88,
        # 1.01 (README): every run but the third would call HAKMEM faster, pooled they cannot tell.
        runs = [self.run_at(c) for c in (1.07, 1.07, 0.88, 1.01)]
        alone = [stats.Comparison([1.0] * 5, r, margin=stats.TABLE_MARGIN).verdict for r in runs]
        self.assertEqual(alone, [stats.FASTER, stats.FASTER, stats.SLOWER, stats.NO_DIFFERENCE])
        pooled = stats.Pooled(runs, margin=stats.TABLE_MARGIN)
        self.assertEqual(pooled.verdict, stats.NO_DIFFERENCE)
        self.assertAlmostEqual(pooled.ratio, 1.04)  # the median of the four run medians
        self.assertLess(pooled.ci[0], 0.95)
        self.assertGreater(pooled.ci[1], 1.06)
        self.assertGreater(pooled.p_value, 0.05)

    def test_a_twofold_difference_in_every_run_is_faster(self):
        pooled = stats.Pooled([self.run_at(c) for c in (2.0, 2.1, 1.95)], margin=stats.TABLE_MARGIN)
        self.assertEqual(pooled.verdict, stats.FASTER)
        self.assertLess(pooled.p_value, 0.01)
        self.assertTrue(1.9 < pooled.ci[0] <= 2.0 <= pooled.ci[1] < 2.2, pooled.ci)
        slower = stats.Pooled([self.run_at(c) for c in (0.5, 0.52, 0.49)], margin=stats.TABLE_MARGIN)
        self.assertEqual(slower.verdict, stats.SLOWER)

    def test_interval_widens_with_the_spread_between_runs(self):
        widths = []
        for spread in (0.0, 0.02, 0.08):
            runs = [self.run_at(1.0 + spread * k) for k in (-1, 0, 1, 0.5)]
            low, high = stats.Pooled(runs).ci
            widths.append(high - low)
        self.assertLess(widths[0], 0.01)
        self.assertLess(widths[0], widths[1])
        self.assertLess(widths[1], widths[2])

    def test_covers_the_center_of_the_run_effects(self):
        # Ratios of each run scattered 1% around a run effect that itself varies by 5% between runs: the two-stage
        # interval covers the center of the run effects in about 95% of studies of 8 runs (53 of these 60); one
        # interval of all the reps put together (run effects ignored) covers it far less often (40).
        rng = np.random.default_rng(11)
        covered = naive = 0
        for _ in range(60):
            runs = [np.exp(rng.normal(rng.normal(0, 0.05), 0.01, 5)) for _ in range(8)]
            low, high = stats.hierarchical_median_ci(runs, n_boot=2000)
            covered += low <= 1.0 <= high
            low, high = stats.bootstrap_median_ci(np.concatenate(runs), n_boot=2000)
            naive += low <= 1.0 <= high
        self.assertGreaterEqual(covered, 51)
        self.assertLessEqual(naive, 45)

    def test_needs_two_runs(self):
        self.assertRaises(ValueError, stats.Pooled, [[1.0, 1.1]])
        self.assertRaises(ValueError, stats.Pooled, [[1.0, 1.1], []])


if __name__ == "__main__":
    unittest.main()
