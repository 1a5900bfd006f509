"""compare/runs: the change of each allocator's ratio to glibc between two harness runs, on hand-made runs.csv
files with known answers and on two real runs with slow.so injecting a 50% slowdown; refusal of runs whose
workload parameters differ."""
import os
import shutil
import subprocess
import tempfile
import unittest

from test_tools import COMPARE, NEVER, REPO, SLOW, slow_every_for  # in this directory, which the test runner puts on the path

from hakbench import csvfiles, schema

RUNS = os.path.join(COMPARE, "runs")
RUN_MATRIX = os.path.join(REPO, "harness", "run_matrix.py")
DRIFT = [10e6, 14e6, 11e6, 13e6, 12e6]  # system's speed per rep: the machine drifts, the ratios do not


def write_run(path, hakmem_ratio, params="--cycles=20000 --seed=42"):
    """A run directory whose hakmem runs are hakmem_ratio x system's in every rep (+-1% jitter)."""
    os.makedirs(path)
    rows = []
    for rep, speed in enumerate(DRIFT, 1):
        base = {"run_id": os.path.basename(path), "workload": "tiny_hot", "threads": 1, "params": params,
                "rep": rep, "status": "ok"}
        rows.append(dict(base, allocator="system", ops_per_sec=speed))
        rows.append(dict(base, allocator="hakmem", ops_per_sec=speed * hakmem_ratio * (1 + 0.01 * (rep % 3 - 1))))
    csvfiles.write_all(os.path.join(path, "runs.csv"), schema.RUNS, rows)


class RunsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="compare-runs.")
        self.run_id = "test-compare-runs-%d-%s" % (os.getpid(), self._testMethodName)

    def tearDown(self):
        shutil.rmtree(self.dir)
        for top in ("results", "plots"):
            shutil.rmtree(os.path.join(REPO, top, self.run_id), ignore_errors=True)

    def compare(self, a, b):
        done = subprocess.run([RUNS, a, b, "--run-id", self.run_id], capture_output=True, text=True, timeout=120)
        rows = []
        if done.returncode == 0:
            rows = csvfiles.read(os.path.join(REPO, "results", self.run_id, "change.csv"), schema.CHANGE)
        return done, rows

    def test_a_known_20_percent_slowdown_is_slower(self):
        write_run(os.path.join(self.dir, "a"), 1.5)
        write_run(os.path.join(self.dir, "b"), 1.2)
        done, rows = self.compare(os.path.join(self.dir, "a"), os.path.join(self.dir, "b"))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual([(r["allocator"], r["verdict"]) for r in rows], [("hakmem", "slower")])
        self.assertAlmostEqual(rows[0]["change"], 0.8, places=3)
        self.assertGreater(rows[0]["ci_low"], 0.78)
        self.assertLess(rows[0]["ci_high"], 0.82)
        self.assertIn("-20.0%", done.stdout)
        # glibc drifts between reps (10-14 Mops/s) by more than B's hakmem/glibc ratios differ, yet the paired test
        # sees B's steady 1.2x: both runs call hakmem faster than its best peer, B's median outside A's interval.
        self.assertRegex(done.stdout, r"tiny_hot +1  A 1\.50x \[1\.49, 1\.51\] faster \(system\)  B 1\.20x "
                                      r"\[1\.19, 1\.21\] faster \(system\)  verdicts agree; "
                                      r"B's median OUTSIDE A's interval")
        self.assertTrue(os.path.getsize(os.path.join(REPO, "plots", self.run_id, "change.png")) > 0)
        with open(os.path.join(REPO, "results", self.run_id, "change.md")) as f:
            self.assertIn("![change](", f.read())

    def test_the_same_run_twice_is_no_detectable_difference(self):
        write_run(os.path.join(self.dir, "a"), 1.5)
        done, rows = self.compare(os.path.join(self.dir, "a"), os.path.join(self.dir, "a"))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual([(r["change"], r["verdict"]) for r in rows], [(1.0, "no detectable difference")])
        self.assertIn("verdicts agree; B's median inside A's interval", done.stdout)

    def test_runs_with_other_workload_parameters_are_refused(self):
        write_run(os.path.join(self.dir, "a"), 1.5)
        write_run(os.path.join(self.dir, "b"), 1.5, params="--cycles=500000 --seed=42")
        done, _ = self.compare(os.path.join(self.dir, "a"), os.path.join(self.dir, "b"))
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertIn("refusing to compare runs whose workload parameters differ", done.stderr)
        self.assertIn("tiny_hot threads=1: A (%s) ran `--cycles=20000 --seed=42`" % os.path.join(self.dir, "a"),
                      done.stderr)
        self.assertFalse(os.path.exists(os.path.join(REPO, "results", self.run_id)))

    def test_not_a_run_directory_is_bad_usage(self):
        done, _ = self.compare(self.dir, self.dir)
        self.assertEqual(done.returncode, 2)
        self.assertIn("has no runs.csv", done.stderr)

    def test_injected_slowdown_between_two_real_runs_is_found(self):
        # run A: slow.so never delays (every 10^9th malloc); run B: it costs 50% more time on tiny_hot than in A
        # (a third fewer ops/s). With 10 reps a run's ratio moves by +-10% here: a 25% slowdown came out "no
        # detectable difference" in 1 of 4 tries, 50% was "slower" in 4 of 4 (change 0.68-0.72). A miss gets one
        # more try: a tool that never finds the slowdown still fails.
        for attempt in range(2):
            for name, every in (("a", NEVER), ("b", slow_every_for(0.5, versus_every=NEVER))):
                shutil.rmtree(os.path.join(self.dir, name), ignore_errors=True)
                done = subprocess.run([RUN_MATRIX, "--profile=quick", "--workloads=tiny_hot", "--allocators=system",
                                       "--allocator", "slow=" + SLOW, "--env", "SHIM_SLOW_NS=0",
                                       "--env", "SHIM_SLOW_EVERY=%d" % every, "--reps=10", "--no-strace",
                                       "--no-perf", "--out", self.dir, "--run-id", name],
                                      capture_output=True, text=True, timeout=300)
                self.assertEqual(done.returncode, 0, done.stderr)
            done, rows = self.compare(os.path.join(self.dir, "a"), os.path.join(self.dir, "b"))
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            if [r["verdict"] for r in rows] == ["slower"]:
                break
        self.assertEqual([(r["allocator"], r["verdict"]) for r in rows], [("slow", "slower")], done.stdout)
        self.assertLess(rows[0]["change"], 0.85)
        self.assertIn("other env: A {'SHIM_SLOW_NS': '0', 'SHIM_SLOW_EVERY': '1000000000'}", done.stdout)


if __name__ == "__main__":
    unittest.main()
