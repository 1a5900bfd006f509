"""Allocator cost per call (hakbench/alloc_cost.py, hakbench/callgrind.py, harness/alloc_cost.py): the callgrind
format on a known file; the attribution against a shim with a known cost (build/shims/known_cost.so: glibc
plus 1000 instructions per malloc and 3000 per free); the same figures on a rerun; summary columns, the
table and the command line."""
import os
import subprocess
import tempfile
import unittest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HARNESS)

from hakbench import alloc_cost, callgrind, counters, proc, schema, summary, workloads

CLI = os.path.join(HARNESS, "alloc_cost.py")
KNOWN_COST = os.path.join(REPO, "build", "shims", "known_cost.so")
HAKMEM = os.path.join(REPO, "build", "libhakmem.so")
# Short runs: the figures are per call, so a few tens of thousands of calls are enough.
SHORT = {"tiny_hot": ["--min=8", "--max=128", "--batch=100", "--cycles=200", "--warmup=10", "--seed=42"],
         "random_mixed": ["--iterations=20000", "--ws=1024", "--warmup=1000", "--seed=42"]}

# Compressed names, a call without cob= (into the caller's object), trailing zero costs left out,
# a recursion suffix and a symbol version, two position columns (--dump-instr=yes).
SAMPLE = """# callgrind format
version: 1
positions: instr line
events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
summary: 1000 300 200 0 40 30 0 4 3

ob=(1) /opt/hak/driver
fl=(1) driver.c
fn=(1) main
0x10 5 7
cob=(2) /lib/liballoc.so
cfi=(2) alloc.c
cfn=(2) malloc
calls=10 0x99 12
0x11 6 100 20 10 0 5 2 0 1 1
cfn=(3) helper
calls=1 0x20 30
0x12 7 50 5
cob=(2)
cfn=(4) free@@ALLOC_1.0
calls=10 0x98 15
0x13 8 200 40 30 0 1 3 0 1
fn=(3)
0x20 30 50 5

ob=(2)
fn=(2)
cfn=(6) malloc'2
calls=2 0x99 12
0x99 12 30
ob=(3) /lib/libc.so
fn=(5) start
cob=(1)
cfn=(1)
calls=1 0x10 5
0x5 1 900 250 150 0 30 20 0 3 2
"""


def have_valgrind():
    return counters.valgrind_available()


def cost_of(workload, preloaded):
    """alloc_cost.Cost of a short run of workload under callgrind with preloaded (None: glibc)."""
    cmd = [workloads.binary(workload)] + SHORT[workload]
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    if preloaded:
        env["LD_PRELOAD"] = preloaded
    with tempfile.NamedTemporaryFile(prefix="callgrind.", suffix=".out") as out:
        outcome = proc.run_measured(callgrind.command(cmd, out.name), env=env, timeout=600)
        if outcome.status != schema.STATUS_OK:
            raise AssertionError("%s under callgrind: %s\n%s" % (workload, outcome.status, outcome.stderr[-2000:]))
        return alloc_cost.measure_text(out.read().decode(), cmd, preloaded)


class CallgrindFormatTest(unittest.TestCase):
    def test_edges_of_a_known_file(self):
        profile = callgrind.parse(SAMPLE)
        self.assertEqual(profile.totals["Ir"], 1000)
        self.assertEqual(profile.totals["DLmw"], 3)
        edges = {(e.caller, e.callee): e for e in profile.edges}
        malloc = edges[("main", "malloc")]
        self.assertEqual((malloc.caller_object, malloc.callee_object, malloc.calls), ("/opt/hak/driver", "/lib/liballoc.so", 10))
        self.assertEqual([malloc.cost[e] for e in profile.events], [100, 20, 10, 0, 5, 2, 0, 1, 1])
        self.assertEqual(edges[("main", "helper")].callee_object, "/opt/hak/driver")   # no cob=: the caller's object
        self.assertEqual(edges[("main", "helper")].cost["DLmw"], 0)                 # trailing zeros left out
        self.assertEqual(edges[("main", "free@@ALLOC_1.0")].cost["Ir"], 200)
        self.assertEqual(edges[("malloc", "malloc'2")].calls, 2)
        self.assertEqual(callgrind.plain_name("free@@ALLOC_1.0"), "free")
        self.assertEqual(callgrind.plain_name("malloc'2"), "malloc")

    def test_attribution_of_a_known_file(self):
        names = {"malloc": {"malloc"}, "free": {"free"}}
        cost = alloc_cost.attribute(callgrind.parse(SAMPLE), "/opt/hak/driver", names)
        self.assertEqual(cost.calls, {"malloc": 10, "free": 10})
        self.assertEqual(cost.per_call("malloc", "instructions"), 10)
        self.assertEqual(cost.per_call("free", "instructions"), 20)
        self.assertEqual(cost.per_call("malloc", "d1_misses"), 0.7)   # D1mr + D1mw
        self.assertEqual(cost.per_call("free", "ll_misses"), 0.1)     # DLmr + DLmw
        # the driver: what start -> main spent (900), less malloc's and free's (300), per op (20 calls)
        self.assertEqual(dict((e, p) for e, _, p in cost.rows())["driver_instructions"], 30)

    def test_no_call_found_is_an_error_not_zero(self):
        with self.assertRaisesRegex(ValueError, "no call from /opt/hak/driver to free"):
            alloc_cost.attribute(callgrind.parse(SAMPLE), "/opt/hak/driver", {"malloc": {"malloc"}, "free": {"cfree"}})
        with self.assertRaisesRegex(ValueError, "not a callgrind output"):
            callgrind.parse("hello\n")


@unittest.skipUnless(have_valgrind(), "valgrind is not installed")
class AttributionTest(unittest.TestCase):
    def test_known_cost_shim_adds_exactly_its_instructions(self):
        self.assertTrue(os.path.exists(KNOWN_COST), "%s missing: run make" % KNOWN_COST)
        glibc, shim = cost_of("tiny_hot", None), cost_of("tiny_hot", KNOWN_COST)
        self.assertEqual(shim.calls, glibc.calls)
        for fn, extra in (("malloc", 1000), ("free", 3000)):
            added = shim.per_call(fn, "instructions") - glibc.per_call(fn, "instructions")
            # the nops, plus the shim's jump into glibc (a tail call, and its PLT entry)
            self.assertTrue(extra <= added <= extra + 4, "%s: %.2f instructions added per call, expected %d"
                            % (fn, added, extra))
        # The driver's share moves a little with where the blocks lie (its tag check's memcmp takes other paths
        # for other alignments: 0.01-0.15 instructions per op seen); a leak of the shim's nops would be hundreds.
        driver = [c.driver["instructions"] / c.ops() for c in (glibc, shim)]
        self.assertAlmostEqual(driver[0], driver[1], delta=1.0, msg="the driver's own share moved with the allocator")

    def test_same_figures_on_a_rerun(self):
        self.assertTrue(os.path.exists(HAKMEM), "%s missing: run make" % HAKMEM)
        for workload in ("tiny_hot", "random_mixed"):
            first, second = cost_of(workload, HAKMEM), cost_of(workload, HAKMEM)
            self.assertEqual((first.calls, first.spent), (second.calls, second.spent), workload)
            # The driver's share moves by a few hundred instructions a run: printing the measured time.
            self.assertAlmostEqual(first.driver["instructions"] / first.ops(),
                                   second.driver["instructions"] / second.ops(), delta=0.05)


class SummaryColumnsTest(unittest.TestCase):
    def test_summary_takes_per_call_figures_from_callgrind_rows(self):
        key = {"run_id": "r", "workload": "tiny_hot", "allocator": "hakmem", "threads": 1}
        runs = [dict(key, params="", rep=1, status="ok", exit_code=0, ops=10.0, seconds=1.0, ops_per_sec=10.0,
                     wall_s=1.0, user_s=1.0, sys_s=0.0, max_rss_kb=1000, minor_faults=5, major_faults=0)]
        perf = [dict(key, event="malloc_instructions", value=210, per_op=21.0, source="callgrind"),
                dict(key, event="free_instructions", value=460, per_op=46.0, source="callgrind"),
                dict(key, event="malloc_calls", value=10, per_op=None, source="callgrind"),
                dict(key, event="instructions", value=5, per_op=9.0, source="perf")]
        row = summary.summarize(runs, (), perf)[0]
        self.assertEqual((row["instructions_per_malloc"], row["instructions_per_free"]), (21.0, 46.0))
        self.assertIsNone(row["d1_misses_per_malloc"])   # not measured: empty, not 0
        self.assertEqual(set(schema.ALLOC_COST) - set(row), set())
        table = alloc_cost.format_table([row])
        self.assertRegex(table, r"tiny_hot\s+1\s+hakmem\s+21\.0\s+46\.0\s+-")
        self.assertEqual(alloc_cost.format_table([dict(row, instructions_per_malloc=None)]), "")


class CommandLineTest(unittest.TestCase):
    def test_bad_flags_exit_2(self):
        for bad in (["--bogus"], ["--workloads", "nope"], ["--allocators", "nope"], ["--threads", "0"]):
            done = subprocess.run([CLI] + bad, capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 2, bad)
            self.assertIn("usage:", done.stderr)

    @unittest.skipUnless(have_valgrind(), "valgrind is not installed")
    def test_prints_the_table_and_names_a_failed_cell(self):
        crashy = os.path.join(REPO, "build", "shims", "abort_nth.so")
        with tempfile.TemporaryDirectory(prefix="callgrind-") as keep:
            done = subprocess.run([CLI, "--workloads", "tiny_hot", "--allocators", "system", "--allocator",
                                   "crashy=" + crashy, "--keep", keep], capture_output=True, text=True, timeout=600)
            with open(os.path.join(keep, "callgrind.tiny_hot.1.system.out")) as f:
                kept = callgrind.parse(f.read())
        self.assertGreater(kept.totals["Ir"], 0)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertRegex(done.stdout, r"tiny_hot\s+1\s+system\s+\d+\.\d\s+\d+\.\d")
        self.assertNotIn("crashy", done.stdout)
        self.assertIn("tiny_hot threads=1 crashy: crash:SIGABRT", done.stderr)


if __name__ == "__main__":
    unittest.main()
