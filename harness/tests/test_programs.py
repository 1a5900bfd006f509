"""Program workloads: the output check, work-unit parsing, the redis server's start and stop, user programs
that crash, hang or print another result (test preload shims of build/shims), and a --quick run end to end."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

# test_run_matrix: in this directory, which the test runner puts on the path
from test_run_matrix import REPO, RUN_ALL, RUN_MATRIX, SHIMS, processes_with, read_csv

from hakbench import program_redis, program_suite, programs, schema
from hakbench.program_summary import GEOMEAN

PY = "/usr/bin/python3"

BENCH_CSV = '''"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","50000.00","0.876","0.096","0.855","1.455","1.767","2.391"
"GET","100000.00","1.938","0.088","0.815","5.983","10.847","96.703"
'''


def have(*binaries):
    return all(shutil.which(b) for b in binaries)


class WorkAndCheckTest(unittest.TestCase):
    def test_regex_work_takes_the_last_match_and_fails_without_one(self):
        work = programs.regex_work(r"done (\d+) items")
        self.assertEqual(work("done 5 items\ndone 12 items\n", None), (12.0, None))
        self.assertIsNone(work("nothing here\n", None))

    def test_redis_benchmark_csv(self):
        self.assertEqual(program_redis.parse_benchmark_csv(BENCH_CSV), [50000.0, 100000.0])
        client = program_redis.RedisClient(1000)
        # 1000 requests per test: 0.02 s + 0.01 s for 2000 requests
        units, seconds = client.work("", ("", BENCH_CSV))
        self.assertEqual(units, 2000)
        self.assertAlmostEqual(seconds, 0.03)
        self.assertIsNone(client.work("", ("", "")))
        self.assertIsNone(program_redis.parse_benchmark_csv('"SET","fast"\n'))

    def test_user_program_is_validated(self):
        for args in [("9bad", "true"), ("ok", ""), ("ok", "echo 'unterminated"), ("ok", "true", "no group"),
                     ("ok", "true", "(unbalanced"), ("ok", "true", None, "sha256:abc"), ("ok", "true", None, "maybe")]:
            with self.subTest(args=args), self.assertRaises(ValueError):
                programs.user_program(*args)

    def test_output_check_catches_a_wrong_result(self):
        root = tempfile.mkdtemp(prefix="hakbench-test-")
        self.addCleanup(shutil.rmtree, root)
        # prints whether an allocator is preloaded: the glibc reference says "none", a preloaded run differs
        job = programs.ProgramJob(programs.user_program("differ", "sh -c 'echo ${LD_PRELOAD:-none}; echo same'"),
                                  "quick", root)
        self.assertIsNone(job.reference(dict(os.environ)))
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        same = job.run(env)
        self.assertEqual(same.status, schema.STATUS_OK)
        self.assertEqual(same.result["ops"], 1.0)
        self.assertAlmostEqual(same.result["ops_per_sec"], 1 / same.wall_s)
        other = job.run(dict(env, LD_PRELOAD=programs.LIBC))
        self.assertEqual(other.status, schema.STATUS_CORRUPTION)
        self.assertIn("line 1", other.stderr)
        self.assertIsNone(other.result)

    def test_files_written_are_checked_and_exit_status_is_kept(self):
        root = tempfile.mkdtemp(prefix="hakbench-test-")
        self.addCleanup(shutil.rmtree, root)
        program = programs.Program("writer", lambda inputs, profile: ["sh", "-c", 'echo "$MARK" > out.txt; exit $CODE'],
                                   outputs=["out.txt"], binaries=["sh"])
        job = programs.ProgramJob(program, "quick", root)
        self.assertIsNone(job.reference(dict(os.environ, MARK="a", CODE="0")))
        self.assertEqual(job.run(dict(os.environ, MARK="a", CODE="0")).status, schema.STATUS_OK)
        self.assertEqual(job.run(dict(os.environ, MARK="b", CODE="0")).status, schema.STATUS_CORRUPTION)
        # exit 3 is the drivers' corruption code, not a program's: a failing program is an error
        self.assertEqual(job.run(dict(os.environ, MARK="a", CODE="3")).status, schema.STATUS_ERROR)

    def test_sha256_check(self):
        root = tempfile.mkdtemp(prefix="hakbench-test-")
        self.addCleanup(shutil.rmtree, root)
        good = "sha256:" + "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"  # "foo\n"
        job = programs.ProgramJob(programs.user_program("foo", "echo foo", check=good), "quick", root)
        self.assertEqual(job.run(dict(os.environ)).status, schema.STATUS_OK)
        job = programs.ProgramJob(programs.user_program("bar", "echo bar", check=good), "quick", root)
        self.assertEqual(job.run(dict(os.environ)).status, schema.STATUS_CORRUPTION)


@unittest.skipUnless(have("redis-server", "redis-benchmark", "redis-cli"), "redis-server/redis-tools not installed")
class RedisTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="hakbench-test-")
        self.marker = "HAKBENCH_TEST_MARKER=%s" % uuid.uuid4().hex
        key, value = self.marker.split("=")
        self.env = dict(os.environ, **{key: value})

    def tearDown(self):
        leftover = processes_with(self.marker)
        for pid in leftover:
            os.kill(pid, 9)
        shutil.rmtree(self.root)
        self.assertEqual(leftover, [], "redis processes left running")

    def job(self):
        small = programs.Program("redis", lambda inputs, profile: list(program_redis.SERVER),
                                 client=lambda profile: program_redis.RedisClient(300), unit="request",
                                 own_allocator=True)
        job = programs.ProgramJob(small, "quick", self.root)
        self.assertIsNone(job.reference(self.env, timeout=60))
        return job

    def test_two_overlapping_runs_both_succeed_and_stop(self):
        job = self.job()
        outcomes = []
        runs = [threading.Thread(target=lambda: outcomes.append(job.run(self.env, timeout=60))) for _ in range(2)]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
        self.assertEqual([o.status for o in outcomes], [schema.STATUS_OK] * 2, [o.stderr[-300:] for o in outcomes])
        self.assertEqual([o.exit_code for o in outcomes], [0, 0])  # stopped by SHUTDOWN, not killed
        for o in outcomes:  # 300 requests of each test, and of the LPUSH redis-benchmark runs before LRANGE
            self.assertEqual(o.result["ops"], 300 * (len(program_redis.TESTS.split(",")) + 1))
        self.assertEqual(processes_with(self.marker), [])

    def test_a_crashing_server_is_recorded_and_leaves_no_process(self):
        job = self.job()
        start = time.monotonic()
        crashed = job.run(dict(self.env, LD_PRELOAD=os.path.join(SHIMS, "abort_nth.so"), SHIM_ABORT_NTH="2000"),
                          timeout=60)
        self.assertTrue(crashed.status.startswith("crash:"), crashed.status + crashed.stderr[-300:])
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(processes_with(self.marker), [])


class MatrixWithProgramsTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="hakbench-test-")
        self.marker = "HAKBENCH_TEST_MARKER=%s" % uuid.uuid4().hex

    def tearDown(self):
        for pid in processes_with(self.marker):
            os.kill(pid, 9)
        shutil.rmtree(self.out)

    def matrix(self, *args):
        return subprocess.run([RUN_MATRIX, "--out", self.out, "--run-id", "t", "--env", self.marker,
                               "--allocators=system", "--no-perf", "--no-strace"] + list(args),
                              capture_output=True, text=True, timeout=300)

    def test_crash_hang_and_wrong_output_are_recorded_and_the_matrix_goes_on(self):
        hello = "%s -c \"print('work done: 42 units')\"" % PY
        done = self.matrix("--workloads=hello,differ", "--program", "hello=" + hello,
                           "--program-work", r"hello=done: (\d+) units",
                           "--program", "differ=sh -c 'echo ${LD_PRELOAD:-none}'",
                           "--allocator", "crashy=" + os.path.join(SHIMS, "abort_nth.so"),
                           "--allocator", "hang=" + os.path.join(SHIMS, "hang.so"),
                           "--env", "SHIM_ABORT_NTH=500", "--env", "SHIM_HANG_NTH=500", "--timeout=3", "--reps=1")
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        runs = {(r["workload"], r["allocator"]): r for r in read_csv(os.path.join(self.out, "t", "runs.csv"))}
        self.assertEqual(runs[("hello", "system")]["status"], "ok")
        self.assertEqual(runs[("hello", "system")]["work_unit"], "work unit")
        self.assertEqual(runs[("hello", "system")]["ops"], 42)
        self.assertEqual(runs[("hello", "crashy")]["status"], "crash:SIGABRT")
        self.assertEqual(runs[("hello", "hang")]["status"], schema.STATUS_TIMEOUT)
        self.assertEqual(runs[("differ", "system")]["status"], "ok")
        # sh makes fewer than 500 mallocs (about 10 plus one per environment variable: 50 was too few under
        # make test's environment), python thousands: both shims let sh finish, and it prints their path
        self.assertEqual(runs[("differ", "crashy")]["status"], schema.STATUS_CORRUPTION)
        self.assertEqual(runs[("differ", "hang")]["status"], schema.STATUS_CORRUPTION)
        self.assertEqual(processes_with(self.marker), [])
        ratios = {(r["allocator"], r["workload"]) for r in read_csv(os.path.join(self.out, "t", "programs.csv"))}
        self.assertNotIn(("crashy", GEOMEAN), ratios)  # no ok run, no ratio

    def test_bad_program_flags_exit_2(self):
        for args in (["--workloads=nosuch"], ["--program", "x=true", "--program-work", "y=(1)"],
                     ["--program", "micro=true"], ["--program", "x=true", "--program", "x=false"],
                     ["--program", "x=true", "--program-check", "x=perhaps"]):
            with self.subTest(args=args):
                done = self.matrix(*args)
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn("usage", done.stderr)

    def test_a_program_not_installed_is_left_out(self):
        done = self.matrix("--workloads=absent,hello", "--program", "absent=no-such-binary-here --x",
                           "--program", "hello=echo hello", "--reps=1")
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        self.assertIn("leaving out program absent", done.stderr)
        runs = read_csv(os.path.join(self.out, "t", "runs.csv"))
        self.assertEqual({r["workload"] for r in runs}, {"hello"})


@unittest.skipUnless(have("lua5.4", "sqlite3"), "lua5.4 or sqlite3 not installed")
class QuickEndToEndTest(unittest.TestCase):
    def test_quick_program_run_end_to_end(self):
        out = tempfile.mkdtemp(prefix="hakbench-test-")
        self.addCleanup(shutil.rmtree, out)
        allocators = "system,hakmem" if os.path.exists(os.path.join(REPO, "build", "libhakmem.so")) else "system"
        done = subprocess.run([RUN_ALL, "--quick", "--workloads=lua,sqlite", "--allocators=" + allocators,
                               "--reps=2", "--no-perf", "--out", out],
                              capture_output=True, text=True, timeout=600)
        run_dir = os.path.realpath(os.path.join(out, "latest"))
        self.addCleanup(shutil.rmtree, os.path.join(REPO, "plots", os.path.basename(run_dir)), True)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        runs = read_csv(os.path.join(run_dir, "runs.csv"))
        self.assertEqual(len(runs), 2 * 2 * len(allocators.split(",")))
        self.assertEqual({r["status"] for r in runs}, {"ok"}, runs)
        self.assertEqual({r["work_unit"] for r in runs}, {"run"})
        self.assertTrue(read_csv(os.path.join(run_dir, "syscalls.csv")))
        with open(os.path.join(run_dir, "report.md")) as f:
            report = f.read()
        self.assertIn("## Programs", report)
        if "hakmem" in allocators:
            self.assertIn(GEOMEAN, report)
            geomean = [r for r in read_csv(os.path.join(run_dir, "programs.csv")) if r["workload"] == GEOMEAN]
            self.assertEqual(len(geomean), 1)
            self.assertLessEqual(geomean[0]["ci_low"], geomean[0]["ratio_vs_system"])
            self.assertLessEqual(geomean[0]["ratio_vs_system"], geomean[0]["ci_high"])


class SuiteTest(unittest.TestCase):
    def test_generated_inputs_are_deterministic_and_sized(self):
        self.assertEqual(program_suite.sql_workload(50), program_suite.sql_workload(50))
        self.assertEqual(program_suite.smt_problems(2, 20).count("(check-sat)"), 4)
        self.assertEqual(program_suite.postscript(3).count("showpage"), 3)
        self.assertEqual(program_suite.c_source(5).count("int f"), 5)
        self.assertGreaterEqual(len(program_suite.text_data(1)), 1 << 20)

    def test_suite_names(self):
        from hakbench import jobs
        catalog = jobs.Catalog([programs.user_program("mine", "true")])
        self.assertEqual(catalog.expand(["programs"]),
                         ["z3", "gs", "redis", "lua", "ruby", "sqlite", "python", "gcc", "xz"])
        self.assertEqual(catalog.expand(["micro", "mine"])[-1], "mine")
        self.assertEqual(len(catalog.expand(["all"])), 13)
        with self.assertRaises(ValueError):
            catalog.expand(["nosuch"])


if __name__ == "__main__":
    unittest.main()
