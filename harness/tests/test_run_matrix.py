"""run_matrix.py end to end on the tiny profile: crashing and hanging allocators (test preload shims from
build/shims) are recorded and the matrix goes on; rows are on disk while the next run is under way;
Ctrl-C keeps them and still writes the summary; strace/perf rows and meta.json; bad flags exit 2."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HARNESS)

from hakbench import counters, csvfiles, matrix, schema, summary

RUN_MATRIX = os.path.join(HARNESS, "run_matrix.py")
RUN_ALL = os.path.join(REPO, "run_all.sh")
SHIMS = os.path.join(REPO, "build", "shims")
TINY = ["--profile=tiny", "--workloads=random_mixed", "--allocators=system"]


def read_csv(path):
    """The typed rows of a run's runs.csv, syscalls.csv, perf.csv, summary.csv or programs.csv."""
    kinds = {k.kind: k for k in (schema.RUNS, schema.SYSCALLS, schema.PERF, schema.SUMMARY, schema.PROGRAMS)}
    return csvfiles.read(path, kinds[os.path.basename(path)])


def processes_with(marker):
    """pids of processes whose environment holds marker (our runs get it through --env)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


class MatrixRunTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="hakbench-test-")
        self.marker = "HAKBENCH_TEST_MARKER=%s" % uuid.uuid4().hex

    def tearDown(self):
        for pid in processes_with(self.marker):   # never leave a hung run behind, even when a test fails
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.out)

    def matrix(self, *args, timeout=120):
        return subprocess.run([RUN_MATRIX, "--out", self.out, "--run-id", "t", "--env", self.marker] + list(args),
                              capture_output=True, text=True, timeout=timeout)

    def file(self, name):
        return os.path.join(self.out, "t", name)

    def shim(self, name):
        path = os.path.join(SHIMS, name)
        self.assertTrue(os.path.exists(path), "%s missing: run make" % path)
        return path

    def test_crashing_allocator_is_recorded_and_the_matrix_goes_on(self):
        done = self.matrix(*TINY, "--allocator", "crashy=" + self.shim("abort_nth.so"), "--reps=2", "--no-perf")
        self.assertEqual(done.returncode, 0, done.stderr)
        runs = read_csv(self.file("runs.csv"))
        self.assertEqual([(r["allocator"], r["rep"], r["status"]) for r in runs],
                         [("system", 1, "ok"), ("crashy", 1, "crash:SIGABRT"),   # rep 2 in the other order
                          ("crashy", 2, "crash:SIGABRT"), ("system", 2, "ok")])
        self.assertIsNone(runs[1]["ops_per_sec"])
        self.assertIsNone(runs[2]["ops_per_sec"])
        # the strace run of crashy crashed too (the preload reached the traced program): no rows for it
        calls = read_csv(self.file("syscalls.csv"))
        self.assertEqual({r["allocator"] for r in calls}, {"system"})
        with open(self.file("failures.log")) as f:
            log = f.read()
        self.assertIn("strace run, random_mixed threads=1 allocator=crashy", log)
        summary = {r["allocator"]: r for r in read_csv(self.file("summary.csv"))}
        self.assertEqual((summary["crashy"]["runs"], summary["crashy"]["ok_runs"]), (2, 0))
        self.assertIsNone(summary["crashy"]["median_ops_per_sec"])
        self.assertEqual(summary["system"]["ok_runs"], 2)

    def test_hanging_allocator_is_recorded_as_timeout(self):
        start = time.monotonic()
        done = self.matrix(*TINY, "--allocator", "hang=" + self.shim("hang.so"), "--reps=1", "--timeout=1",
                           "--no-strace", "--no-perf")
        self.assertEqual(done.returncode, 0, done.stderr)
        runs = {r["allocator"]: r for r in read_csv(self.file("runs.csv"))}
        self.assertEqual(runs["hang"]["status"], schema.STATUS_TIMEOUT)
        self.assertGreaterEqual(runs["hang"]["wall_s"], 1.0)
        self.assertEqual(runs["system"]["status"], "ok")
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(processes_with(self.marker), [], "the hung run was not killed")

    def test_rows_are_on_disk_during_the_run_and_ctrl_c_keeps_them(self):
        child = subprocess.Popen(
            [RUN_MATRIX, "--out", self.out, "--run-id", "t", "--env", self.marker, *TINY,
             "--allocator", "hang=" + self.shim("hang.so"), "--reps=1", "--timeout=60", "--no-strace", "--no-perf"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # even if our caller ignores ^C
        try:
            deadline = time.monotonic() + 30
            rows = []
            while time.monotonic() < deadline and not (rows and len(processes_with(self.marker)) > 1):
                time.sleep(0.1)
                rows = read_csv(self.file("runs.csv")) if os.path.exists(self.file("runs.csv")) else []
            # the system row is on disk while the hang run (the next one) is still going
            self.assertEqual([(r["allocator"], r["status"]) for r in rows], [("system", "ok")])
            child.send_signal(signal.SIGINT)
            _, err = child.communicate(timeout=20)
        finally:
            if child.poll() is None:
                child.kill()
        self.assertEqual(child.returncode, 130, err)
        self.assertEqual([r["allocator"] for r in read_csv(self.file("summary.csv"))], ["system"])
        with open(self.file("meta.json")) as f:
            meta = json.load(f)
        self.assertTrue(meta["interrupted"])
        self.assertIsNotNone(meta["end_time"])
        self.assertEqual(processes_with(self.marker), [], "Ctrl-C left the running benchmark behind")

    def test_strace_perf_rows_and_meta(self):
        done = self.matrix(*TINY, "--reps=1", "--env", "HAKMEM_TEST_KNOB=7")
        self.assertEqual(done.returncode, 0, done.stderr)
        calls = {r["syscall"]: r["calls"] for r in read_csv(self.file("syscalls.csv"))}
        for name in schema.KEY_SYSCALLS + ["total", "execve"]:
            self.assertIn(name, calls)
        self.assertGreater(calls["mmap"], 0)
        self.assertGreaterEqual(calls["total"], sum(v for k, v in calls.items() if k != "total"))

        perf = read_csv(self.file("perf.csv"))
        by_source = {}
        for r in perf:
            by_source.setdefault(r["source"], {})[r["event"]] = r
        if counters.perf_available():
            self.assertEqual(set(by_source.get("perf", {})) | set(by_source.get("unsupported", {})),
                             set(counters.EVENTS))
        for r in by_source.get("unsupported", {}).values():
            self.assertEqual((r["value"], r["per_op"]), (None, None), "an unsupported counter must not be a number")
        with open(self.file("meta.json")) as f:
            meta = json.load(f)
        if not meta["perf_counter_support"].get("branch-misses") and counters.valgrind_available():
            misses = by_source["cachegrind"]["branch-misses"]
            self.assertGreater(misses["per_op"], 0)
            self.assertGreater(by_source["cachegrind"]["branches"]["value"], misses["value"])
            summary = read_csv(self.file("summary.csv"))[0]
            self.assertEqual(summary["branch_misses_source"], "cachegrind")
        if counters.valgrind_available():   # allocator cost per call from callgrind
            cost = by_source["callgrind"]
            self.assertEqual(cost["malloc_calls"]["value"], cost["free_calls"]["value"])
            for event in ("malloc_instructions", "free_instructions", "driver_instructions"):
                self.assertGreater(cost[event]["per_op"], 5, event)
            summary = read_csv(self.file("summary.csv"))[0]
            self.assertEqual(summary["instructions_per_malloc"], cost["malloc_instructions"]["per_op"])
            self.assertIn("allocator cost per call", done.stdout)

        self.assertEqual(meta["run_id"], "t")
        self.assertEqual(meta["profile"], "tiny")
        self.assertEqual(meta["hakmem_env_from_flags"], {"HAKMEM_TEST_KNOB": "7"})
        self.assertIn("--reps=1", meta["command_line"])
        self.assertTrue(meta["allocators"]["system"]["version"])
        for key in ("cpu_model", "cores", "kernel", "compiler"):
            self.assertTrue(meta["machine"][key], key)
        self.assertIsNotNone(meta["end_time"])
        self.assertEqual(os.readlink(os.path.join(self.out, "latest")), "t")

    def test_target_ci_adds_reps_until_met_or_max_reps(self):
        pair = ["--profile=tiny", "--workloads=tiny_hot", "--allocators=system,hakmem", "--no-strace", "--no-perf"]
        done = self.matrix(*pair, "--reps=2", "--target-ci=0.0001", "--max-reps=3")  # a target no run can meet
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(sorted({r["rep"] for r in read_csv(self.file("runs.csv"))}), [1, 2, 3])
        self.assertIn("rep 2: CI widths tiny_hot threads=1 ", done.stderr)
        self.assertIn("rep 3 = --max-reps: stopping with CIs wider than 0.0%", done.stderr)
        with open(self.file("meta.json")) as f:
            settings = json.load(f)["settings"]
        self.assertEqual((settings["reps"], settings["reps_done"], settings["max_reps"]), (2, 3, 3))
        shutil.rmtree(os.path.join(self.out, "t"))
        done = self.matrix(*pair, "--reps=2", "--target-ci=1000")  # met at once
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(sorted({r["rep"] for r in read_csv(self.file("runs.csv"))}), [1, 2])
        self.assertIn("rep 2: every CI of hakmem vs its best peer is within 1000.0%", done.stderr)

    def test_existing_run_directory_is_not_overwritten(self):
        os.makedirs(os.path.join(self.out, "t"))
        with open(self.file("runs.csv"), "w") as f:
            f.write("earlier\n")
        done = self.matrix(*TINY, "--reps=1", "--no-strace", "--no-perf")
        self.assertEqual(done.returncode, 1)
        with open(self.file("runs.csv")) as f:
            self.assertEqual(f.read(), "earlier\n")


class BadFlagTest(unittest.TestCase):
    def check(self, argv, name):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 2, "%s: %s" % (argv, done.stderr))
        self.assertIn("usage:", done.stderr, name)
        self.assertEqual(done.stdout, "", name)

    def test_run_matrix_bad_flags_exit_2(self):
        for bad in (["--bogus"], ["--threads", "0"], ["--threads", "x"], ["--reps", "0"], ["--workloads", "nope"],
                    ["--allocators", "nope"], ["--env", "NOVALUE"], ["--allocator", "nopath"], ["--timeout", "-1"],
                    ["--pin", "a-b"], ["--reps", "many"], ["--target-ci", "0"], ["--max-reps", "3"],
                    ["--reps", "5", "--target-ci", "5", "--max-reps", "3"]):
            self.check([RUN_MATRIX] + bad, " ".join(bad))

    def test_run_all_bad_flags_exit_2_before_building(self):
        for bad in (["--bogus"], ["--reps"], ["--quick=1"], ["extra"]):
            self.check([RUN_ALL] + bad, " ".join(bad))

    def test_run_all_help(self):
        done = subprocess.run([RUN_ALL, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        for flag in ("--quick", "--allocators", "--workloads", "--threads", "--reps", "--env", "--out",
                     "--no-strace", "--no-perf", "--pin"):
            self.assertIn(flag, done.stdout)


def option_names(text):
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))


def helped_options(text):
    """The options an argparse --help lists: the first column of its lines '  -h, --help   ...', '  --out DIR  ...'."""
    return option_names("\n".join(line.strip().split("  ")[0] for line in text.splitlines() if line.startswith("  -")))


class OptionDocs(unittest.TestCase):
    """run_all.sh --help, the README (its synopsis and option table) and run_matrix.py's parser name the same
    options: run_all.sh passes its options on to the parser of hakbench/cli/run_all.py, which is run_matrix.py's
    with --plots and the cluster's added, so an option missing from the README has drifted."""

    def documents(self):
        done = subprocess.run([RUN_ALL, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        helped = helped_options(done.stdout)
        with open(os.path.join(REPO, "README.md")) as f:
            section = f.read().split("\n## run_all.sh\n", 1)[1].split("\n## ", 1)[0]
        lines = section.splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith("    ./run_all.sh"))
        synopsis = []
        for line in lines[first:]:  # the first code block
            if not line.startswith("    "):
                break
            synopsis.append(line)
        table = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `--")]
        cluster = option_names(next(line for line in synopsis if "--emit-jobs" in line))
        return helped, option_names("\n".join(synopsis)), option_names("\n".join(table)), cluster

    def test_run_all_help_and_readme_name_the_same_options(self):
        helped, synopsis, table, cluster = self.documents()
        self.assertEqual(helped, synopsis, "run_all.sh --help vs the README's synopsis")
        self.assertEqual(helped - cluster - {"--help"}, table, "run_all.sh --help vs the README's option table "
                         "(the cluster options are in the synopsis and in 'Running on a cluster')")

    def test_run_all_help_has_every_run_matrix_option(self):
        helped = self.documents()[0]
        done = subprocess.run([sys.executable, RUN_MATRIX, "--help"], capture_output=True, text=True, timeout=30)
        parsed = helped_options(done.stdout)
        self.assertTrue(parsed, done.stdout)
        self.assertEqual(parsed - helped, set(), "run_matrix.py options missing from run_all.sh --help")


def runs_of(ratios):
    """runs.csv rows of system at 10 Mops/s and hakmem at ratios x that, one rep per ratio."""
    row = {"run_id": "r", "workload": "tiny_hot", "threads": 1, "params": None, "status": "ok", "max_rss_kb": None,
           "minor_faults": None}
    return ([dict(row, allocator="system", rep=i, ops_per_sec=10e6) for i in range(1, len(ratios) + 1)]
            + [dict(row, allocator="hakmem", rep=i, ops_per_sec=10e6 * r) for i, r in enumerate(ratios, 1)])


class TargetCiRuleTest(unittest.TestCase):
    """Matrix.more_reps on summaries with known interval widths."""

    def decide(self, ratios, rep, target=0.10, max_reps=8):
        said = []
        cfg = matrix.Config([], ["tiny_hot"], [1], 3, "tiny", "/nonexistent", "r", strace=False, perf=False,
                            target_ci=target, max_reps=max_reps)
        more = matrix.Matrix(cfg, log=said.append).more_reps(rep, summary.summarize(runs_of(ratios)))
        return more, said[-1] if said else None

    def test_wide_interval_asks_for_another_rep(self):
        # per-rep ratios 0.9 .. 1.2: the interval spans about 30% of the median
        more, said = self.decide([1.0, 1.2, 0.9, 1.1, 1.05], rep=5)
        self.assertTrue(more)
        self.assertRegex(said, r"rep 5: CI widths tiny_hot threads=1 2\d\.\d%; target 10\.0%: one more rep")

    def test_narrow_interval_stops(self):
        more, said = self.decide([1.0, 1.01, 0.99, 1.0, 1.02], rep=5)
        self.assertFalse(more)
        self.assertIn("within 10.0%", said)

    def test_max_reps_stops_a_wide_interval(self):
        more, said = self.decide([1.0, 1.2, 0.9, 1.1, 1.05, 1.0, 1.2, 0.9], rep=8)
        self.assertFalse(more)
        self.assertIn("rep 8 = --max-reps", said)

    def test_without_a_target_never_asks(self):
        self.assertEqual(self.decide([1.0, 1.2, 0.9], rep=3, target=None), (False, None))


if __name__ == "__main__":
    unittest.main()
