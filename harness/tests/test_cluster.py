"""Shards on a cluster, end to end: run_all.sh --emit-jobs writes a job of two quick shards, which run
through real GNU parallel (sshlogin ':', one job slot) and through a single-node Slurm started by
harness/slurm_local.sh (skipped, with the reason, where it cannot start); harness/merge.py merges them
and its report, summary.csv and ratios.csv are checked against the shards' own CSVs. Merging runs with
different parameters fails naming the difference; missing and failed shards are named in the report."""
import json
import math
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HARNESS)

from hakbench import csvfiles, jobdir, schema

RUN_ALL = os.path.join(REPO, "run_all.sh")
MERGE = os.path.join(HARNESS, "merge.py")
SLURM_LOCAL = os.path.join(HARNESS, "slurm_local.sh")
# Two allocators, one workload, the quick profile: each shard takes a few seconds.
MATRIX = ["--quick", "--allocators=system,hakmem", "--workloads=tiny_hot", "--no-perf"]
SHARD_TIMEOUT = 300


def emit(job_dir, *extra):
    return subprocess.run([RUN_ALL, "--emit-jobs", job_dir] + list(extra) + MATRIX,
                          capture_output=True, text=True, timeout=SHARD_TIMEOUT)


def merge(*args):
    return subprocess.run([MERGE] + list(args), capture_output=True, text=True, timeout=120)


class MergedJobChecks:
    """Checks of a finished two-shard job and its merge, shared by the parallel and the Slurm tests."""

    def check_shards_ran(self, job):
        for shard in job.shards:
            status = jobdir.read_status(job, shard)
            self.assertEqual(status.get("exit_code"), 0, "shard %s: %s" % (shard.name, status))
            with open(os.path.join(job.run_dir(shard), "meta.json")) as f:
                meta = json.load(f)
            self.assertEqual(meta["machine"]["host"], socket.gethostname())
            self.assertEqual(meta["run_id"], job.run_id(shard))

    def check_merge(self, job):
        done = merge(job.dir)
        self.assertEqual(done.returncode, 0, done.stderr)
        out = os.path.join(job.dir, "merged")
        merged = csvfiles.read(os.path.join(out, "summary.csv"), schema.MERGED_SUMMARY)
        ratios = csvfiles.read(os.path.join(out, "ratios.csv"), schema.MERGED_RATIOS)
        with open(os.path.join(out, "report.md")) as f:
            report = f.read()
        self.assertTrue(os.path.exists(os.path.join(out, "cross_machine_tiny_hot.png")))
        run_ratios = []
        for shard in job.shards:
            own = csvfiles.read(os.path.join(job.run_dir(shard), "summary.csv"), schema.SUMMARY)
            self.assertEqual(len(own), 2, "one row per allocator")
            mine = [{k: v for k, v in r.items() if k not in ("machine", "shard", "host")}
                    for r in merged if r["shard"] == shard.name]
            self.assertEqual(mine, own, "the merged summary.csv holds shard %s's rows unchanged" % shard.name)
            label = next(r["machine"] for r in merged if r["shard"] == shard.name)
            by_allocator = {r["allocator"]: r for r in own}
            paired = [r for r in csvfiles.read(os.path.join(job.run_dir(shard), "ratios.csv"), schema.RATIOS)
                      if (r["allocator"], r["versus"]) == ("hakmem", "system")]
            self.assertEqual(len(paired), 1, "the shard's own paired ratio of hakmem against system")
            expected = paired[0]
            run_ratios.append(float(expected["ratio"]))
            ratio = [r for r in ratios if r["shard"] == shard.name]
            self.assertEqual([(r["workload"], r["threads"], r["peer"], r["kind"]) for r in ratio],
                             [("tiny_hot", 1, "system", "paired")])
            for column in ("ratio", "ci_low", "ci_high"):
                self.assertTrue(math.isclose(float(ratio[0][column]), float(expected[column])), column)
            self.assertEqual(ratio[0]["verdict"], expected["verdict"])
            self.assertIn("| %s | 1 | %.2f [%.2f, %.2f] %s |" % (
                label, float(expected["ratio"]), float(expected["ci_low"]), float(expected["ci_high"]),
                expected["verdict"]), report)
            for allocator, row in by_allocator.items():
                name = "**hakmem**" if allocator == "hakmem" else allocator
                self.assertIn("| %s | 1 | %s/%s | %.3f |" % (name, row["ok_runs"], row["runs"],
                                                            float(row["median_ops_per_sec"]) / 1e6), report)
        self.assertIn("2 of 2 runs merged", report)
        # pooled over the two runs: each run's own median per-rep ratio, in job order, and one verdict
        pooled = csvfiles.read(os.path.join(out, "pooled.csv"), schema.MERGED_POOLED)
        self.assertEqual([(r["workload"], r["threads"], r["peer"], r["runs"], r["best_peer"]) for r in pooled],
                         [("tiny_hot", 1, "system", 2, 1)])
        got = [float(v) for v in pooled[0]["run_ratios"].split()]
        self.assertEqual(len(got), 2)
        for g, e in zip(got, run_ratios):
            self.assertTrue(math.isclose(g, e, rel_tol=1e-3), (got, run_ratios))
        self.assertTrue(pooled[0]["ci_low"] <= pooled[0]["ratio"] <= pooled[0]["ci_high"])
        self.assertIn("## HAKMEM against its best peer, all runs pooled", report)
        self.assertIn("| tiny_hot | 1 | system | 2 | %.2f [%.2f, %.2f] |" % (
            pooled[0]["ratio"], pooled[0]["ci_low"], pooled[0]["ci_high"]), report)
        self.assertIn("HAKMEM against its best peer, pooled over the runs", done.stdout)


class ParallelJobTest(unittest.TestCase, MergedJobChecks):
    """One job run once through GNU parallel; the tests then merge it, and altered copies of it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hakbench-cluster-")
        if not shutil.which("parallel"):
            cls.skip = "GNU parallel is not installed (Debian package parallel)"
            return
        cls.skip = None
        done = emit(os.path.join(cls.tmp, "job"), "--shards", "2")
        if done.returncode != 0:
            raise AssertionError("run_all.sh --emit-jobs failed: %s" % done.stderr[-2000:])
        cls.job = jobdir.read(os.path.join(cls.tmp, "job"))
        cls.parallel = subprocess.run([os.path.join(cls.job.dir, "parallel.sh"), ":"], capture_output=True,
                                      text=True, timeout=2 * SHARD_TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        if self.skip:
            self.skipTest(self.skip)

    def test_parallel_shards_merged_match_their_csvs(self):
        self.assertEqual(self.parallel.returncode, 0, self.parallel.stderr[-2000:])
        with open(os.path.join(self.job.dir, "logs", "parallel.joblog")) as f:
            self.assertEqual(len(f.read().splitlines()), 3, "a header and one line per shard")
        self.check_shards_ran(self.job)
        self.check_merge(self.job)

    def copy_runs(self):
        """Copies of the two shards' run directories, to alter."""
        copies = []
        for shard in self.job.shards:
            copy = os.path.join(tempfile.mkdtemp(dir=self.tmp), shard.name)
            shutil.copytree(self.job.run_dir(shard), copy)
            copies.append(copy)
        return copies

    def test_different_parameters_refused_naming_them(self):
        first, second = self.copy_runs()
        same = merge("--out", os.path.join(self.tmp, "same"), first, second)
        self.assertEqual(same.returncode, 0, same.stderr)
        meta_path = os.path.join(second, "meta.json")
        with open(meta_path) as f:
            meta = json.load(f)
        meta["settings"]["reps"] = 5
        meta["hakmem_env"] = {"HAKMEM_TINY_REFILL": "64"}
        with open(meta_path, "w") as f:
            json.dump(meta, f)
        out = os.path.join(self.tmp, "refused")
        refused = merge("--out", out, first, second)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("different parameters", refused.stderr)
        self.assertIn("reps: 3 in ", refused.stderr)
        self.assertIn("5 in ", refused.stderr)
        self.assertIn("HAKMEM_TINY_REFILL", refused.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "report.md")))
        allowed = merge("--out", out, "--vary", "HAKMEM_TINY_REFILL", first, second)
        self.assertEqual(allowed.returncode, 1, "reps still differ")
        self.assertNotIn("HAKMEM_TINY_REFILL", allowed.stderr)

    def test_a_sweep_is_not_pooled(self):
        first, second = self.copy_runs()
        out = os.path.join(self.tmp, "sweep")
        done = merge("--out", out, "--vary", "HAKMEM_TINY_REFILL", first, second)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(csvfiles.read(os.path.join(out, "pooled.csv"), schema.MERGED_POOLED), [])
        self.assertNotIn("pooled over the runs", done.stdout)
        with open(os.path.join(out, "report.md")) as f:
            self.assertNotIn("all runs pooled", f.read())

    def test_runs_without_paired_ratios_give_the_ratio_of_medians(self):
        runs = self.copy_runs()
        for run in runs:
            os.unlink(os.path.join(run, "ratios.csv"))
        out = os.path.join(self.tmp, "medians")
        done = merge("--out", out, *runs)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(os.path.join(out, "report.md")) as f:
            report = f.read()
        self.assertIn("the ratio of the two medians, without an interval", report)
        for run, row in zip(runs, csvfiles.read(os.path.join(out, "ratios.csv"), schema.MERGED_RATIOS)):
            medians = {r["allocator"]: float(r["median_ops_per_sec"])
                       for r in csvfiles.read(os.path.join(run, "summary.csv"), schema.SUMMARY)}
            self.assertEqual((row["kind"], row["ci_low"], row["ci_high"]), ("medians", None, None))
            self.assertTrue(math.isclose(float(row["ratio"]), medians["hakmem"] / medians["system"], rel_tol=1e-6))
            self.assertIn("| %s | 1 | %.2f* |" % (row["machine"], float(row["ratio"])), report)

    def test_missing_and_failed_shards_named(self):
        job_dir = os.path.join(tempfile.mkdtemp(dir=self.tmp), "job")
        shutil.copytree(self.job.dir, job_dir, ignore=shutil.ignore_patterns("merged"))
        with open(os.path.join(job_dir, "job.json")) as f:
            raw = json.load(f)
        raw["shards"].append({"name": "m3", "args": []})  # a third shard that never ran
        with open(os.path.join(job_dir, "job.json"), "w") as f:
            json.dump(raw, f)
        job = jobdir.read(job_dir)
        failed = job.shard("m2")
        jobdir.write_status(job, failed, dict(jobdir.read_status(job, failed), exit_code=1))
        done = merge(job_dir)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("left out m2: failed (run_all.sh exited 1", done.stderr)
        self.assertIn("left out m3: never started", done.stderr)
        with open(os.path.join(job_dir, "merged", "report.md")) as f:
            report = f.read()
        self.assertIn("1 of 3 runs merged", report)
        self.assertIn("**Not in the tables and figures below:** m2 (failed (run_all.sh exited 1", report)
        self.assertIn("m3 (never started (no status file), no results)", report)
        merged = csvfiles.read(os.path.join(job_dir, "merged", "summary.csv"), schema.MERGED_SUMMARY)
        self.assertEqual({r["shard"] for r in merged}, {"m1"})

    def test_nothing_to_merge_fails(self):
        done = merge("--out", os.path.join(self.tmp, "none"), os.path.join(self.tmp, "no-such-run"))
        self.assertEqual(done.returncode, 1)
        self.assertIn("left out no-such-run: missing", done.stderr)


class SlurmJobArrayTest(unittest.TestCase, MergedJobChecks):
    """The same job as a Slurm job array of two tasks on a private single-node cluster."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hakbench-slurm-")
        self.addCleanup(shutil.rmtree, self.tmp)
        cluster = os.path.join(self.tmp, "slurm")
        started = subprocess.run([SLURM_LOCAL, "start", cluster], capture_output=True, text=True, timeout=120)
        if started.returncode != 0:
            self.skipTest("no single-node Slurm here: %s" % (started.stderr.strip().splitlines() or ["?"])[-1])
        self.addCleanup(subprocess.run, [SLURM_LOCAL, "stop", cluster], timeout=120)
        self.env = dict(os.environ, SLURM_CONF=os.path.join(cluster, "slurm.conf"))

    def wait_for(self, job_id):
        deadline = time.monotonic() + 2 * SHARD_TIMEOUT
        while time.monotonic() < deadline:
            queued = subprocess.run(["squeue", "--noheader", "--jobs", job_id], capture_output=True, text=True,
                                    env=self.env, timeout=60)
            if queued.returncode == 0 and not queued.stdout.strip():
                return
            time.sleep(0.5)
        self.fail("Slurm job %s still queued or running after %d s" % (job_id, 2 * SHARD_TIMEOUT))

    def test_slurm_job_array_merged_matches_shard_csvs(self):
        done = emit(os.path.join(self.tmp, "job"), "--shards", "2")
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        job = jobdir.read(os.path.join(self.tmp, "job"))
        submitted = subprocess.run(["sbatch", "--parsable", os.path.join(job.dir, "slurm.sbatch")],
                                   capture_output=True, text=True, env=self.env, timeout=60)
        self.assertEqual(submitted.returncode, 0, submitted.stderr)
        self.wait_for(submitted.stdout.strip().split(";")[0])
        self.assertEqual(len(os.listdir(os.path.join(job.dir, "logs"))), 2, "one log per array task")
        self.check_shards_ran(job)
        self.check_merge(job)


class EmitFlagsTest(unittest.TestCase):
    def test_bad_job_flags_exit_2_and_write_nothing(self):
        tmp = tempfile.mkdtemp(prefix="hakbench-emit-")
        self.addCleanup(shutil.rmtree, tmp)
        for flags in (["--shards", "0"], ["--shards", "2", "--sweep", "HAKMEM_X=1,2"], ["--sweep", "HAKMEM_X"],
                      ["--workloads=nope"], ["--out", tmp], ["--run-id", "x"]):
            job_dir = os.path.join(tmp, "job")
            done = subprocess.run([RUN_ALL, "--emit-jobs", job_dir] + flags, capture_output=True, text=True,
                                  timeout=120)
            self.assertEqual(done.returncode, 2, "%s: %s" % (flags, done.stderr))
            self.assertIn("usage", done.stderr)
            self.assertFalse(os.path.exists(job_dir), flags)
        done = subprocess.run([RUN_ALL, "--shards", "2"], capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 2, done.stderr)

    def test_sweep_gives_one_shard_per_value(self):
        tmp = tempfile.mkdtemp(prefix="hakbench-emit-")
        self.addCleanup(shutil.rmtree, tmp)
        done = emit(os.path.join(tmp, "job"), "--sweep", "HAKMEM_TINY_REFILL=16,64")
        self.assertEqual(done.returncode, 0, done.stderr)
        job = jobdir.read(os.path.join(tmp, "job"))
        self.assertEqual([(s.name, s.args) for s in job.shards],
                         [("HAKMEM_TINY_REFILL-16", ["--env=HAKMEM_TINY_REFILL=16"]),
                          ("HAKMEM_TINY_REFILL-64", ["--env=HAKMEM_TINY_REFILL=64"])])
        self.assertEqual(job.vary, "HAKMEM_TINY_REFILL")
        with open(os.path.join(job.dir, "slurm.sbatch")) as f:
            script = f.read()
        self.assertIn("#SBATCH --array=1-2\n", script)
        self.assertIn("#SBATCH --exclusive\n", script)


if __name__ == "__main__":
    unittest.main()
