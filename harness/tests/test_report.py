"""Tests of harness/report.py (figures + report.md) on small hand-made run directories.

Run: /usr/bin/python3 -m unittest discover -s harness/tests -p 'test_report*.py'
"""
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from hakbench import csvfiles, plots, schema, summary
from hakbench.run_data import RunData

REPORT = os.path.join(HARNESS, "report.py")
PYTHON = "/usr/bin/python3"
RUN_ID = "20240101T000000Z-abc1234"

# The hand-made run: random_mixed at 1 thread, larson at 1 and 2 threads; system, jemalloc, hakmem.
# jemalloc's larson at 1 thread crashed in every rep (a failed cell); hakmem's larson at 2 threads once.
SPEEDS = {  # (workload, allocator, threads) -> ops/s per rep, None = crashed
    ("random_mixed", "system", 1): [20e6, 22e6, 21e6],
    ("random_mixed", "jemalloc", 1): [30e6, 28e6, 29e6],
    ("random_mixed", "hakmem", 1): [40e6, 41e6, 39e6],
    ("larson", "system", 1): [10e6, 11e6, 12e6],
    ("larson", "jemalloc", 1): [None, None, None],
    ("larson", "hakmem", 1): [15e6, 16e6, 14e6],
    ("larson", "system", 2): [18e6, 19e6, 20e6],
    ("larson", "jemalloc", 2): [25e6, 26e6, 27e6],
    ("larson", "hakmem", 2): [30e6, None, 32e6],
}
SYSCALLS = {"system": {"mmap": 10, "munmap": 1, "madvise": 0, "mprotect": 3, "brk": 21, "mremap": 0, "total": 54},
            "jemalloc": {"mmap": 36, "munmap": 3, "madvise": 2, "mprotect": 7, "brk": 2, "mremap": 0, "total": 92},
            "hakmem": {"mmap": 5, "munmap": 0, "madvise": 0, "mprotect": 0, "brk": 0, "mremap": 0, "total": 30}}
BRANCH_MISSES = {"system": 1.5, "jemalloc": 1.1, "hakmem": 0.4}


def make_run_dir(root):
    """Write a complete small run into root/results/RUN_ID and return that directory."""
    run_dir = os.path.join(root, "results", RUN_ID)
    os.makedirs(run_dir)
    runs = []
    for (workload, alloc, threads), speeds in SPEEDS.items():
        for rep, speed in enumerate(speeds, start=1):
            ok = speed is not None
            runs.append({"run_id": RUN_ID, "workload": workload, "allocator": alloc, "threads": threads,
                         "params": "--seed=42 --threads=%d" % threads, "rep": rep,
                         "status": schema.STATUS_OK if ok else "crash:SIGABRT", "exit_code": 0 if ok else -6,
                         "ops": int(speed) if ok else None, "seconds": 1.0 if ok else None,
                         "ops_per_sec": speed, "wall_s": 1.1, "user_s": 1.0, "sys_s": 0.05,
                         "max_rss_kb": 4000, "minor_faults": 800, "major_faults": 0})
    csvfiles.write_all(os.path.join(run_dir, "runs.csv"), schema.RUNS, runs)
    syscalls, perf = [], []
    for workload, alloc, threads in SPEEDS:
        cell = {"run_id": RUN_ID, "workload": workload, "allocator": alloc, "threads": threads}
        syscalls += [dict(cell, syscall=name, calls=calls) for name, calls in SYSCALLS[alloc].items()]
        perf += [dict(cell, event="branch-misses", value=None, per_op=None, source="unsupported"),
                 dict(cell, event="branch-misses", value=BRANCH_MISSES[alloc] * 1000,
                      per_op=BRANCH_MISSES[alloc], source="cachegrind")]
    csvfiles.write_all(os.path.join(run_dir, "syscalls.csv"), schema.SYSCALLS, syscalls)
    csvfiles.write_all(os.path.join(run_dir, "perf.csv"), schema.PERF, perf)
    summary.write(run_dir)
    with open(os.path.join(run_dir, "meta.json"), "w") as f:
        json.dump({"run_id": RUN_ID, "profile": "quick", "command_line": ["harness/run_matrix.py", "--quick"],
                   "machine": {"cpu_model": "test CPU", "cores": 2}}, f)
    return run_dir


def run_report(*args):
    """report.py in this process (faster than a child); returns (exit code, stdout)."""
    from hakbench.cli import report
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = report.main(list(args))
    return code, out.getvalue()


def table_rows(markdown, first_header):
    """Rows (lists of cells) of every markdown table whose first header cell is first_header."""
    rows, inside = [], False
    for line in markdown.splitlines():
        if not line.startswith("|"):
            inside = False
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == first_header and not inside:
            inside, header = True, cells
            continue
        if inside and not set(line) <= set("|-"):
            rows.append(dict(zip(header, cells)))
    return rows


class RunDirCase(unittest.TestCase):
    """A fresh hand-made run directory per test."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="hakbench-report-")
        self.run_dir = make_run_dir(self.root)
        self.plots_dir = os.path.join(self.root, "plots", RUN_ID)

    def tearDown(self):
        shutil.rmtree(self.root)

    def report_text(self):
        with open(os.path.join(self.run_dir, "report.md")) as f:
            return f.read()


class CompleteRunTest(unittest.TestCase):
    """One report of a complete run, checked in several ways (drawing it once keeps the suite fast)."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="hakbench-report-")
        cls.run_dir = make_run_dir(cls.root)
        cls.plots_dir = os.path.join(cls.root, "plots", RUN_ID)
        cls.code, cls.out = run_report(cls.run_dir, "--plots-dir", cls.plots_dir)
        with open(os.path.join(cls.run_dir, "report.md")) as f:
            cls.text = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def test_writes_every_figure_as_png_and_svg(self):
        self.assertEqual(self.code, 0)
        expected = ["throughput_random_mixed", "relative_random_mixed", "syscalls_random_mixed",
                    "throughput_larson", "relative_larson", "scaling_larson", "syscalls_larson",
                    "page_faults", "peak_rss", "branch_misses"]
        written = sorted(os.listdir(self.plots_dir))
        self.assertEqual(written, sorted(n + ext for n in expected for ext in (".png", ".svg")))
        for name in expected:
            with open(os.path.join(self.plots_dir, name + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", name)
        self.assertNotIn("scaling_random_mixed.png", written)  # one thread count: no scaling figure

    def test_report_links_resolve_from_the_report(self):
        links = re.findall(r"\]\(([^)]+\.(?:png|svg))\)", self.text)
        self.assertGreaterEqual(len(links), 20)
        for link in links:
            self.assertFalse(os.path.isabs(link), link)
            self.assertTrue(link.startswith("../../plots/%s/" % RUN_ID), link)
            self.assertTrue(os.path.exists(os.path.join(self.run_dir, link)), link)

    def test_failed_cell_is_listed_and_annotated(self):
        text = self.text
        failures = [r for r in table_rows(text, "workload") if "status" in r]
        self.assertEqual(len(failures), 4)
        self.assertEqual(sum(1 for r in failures if (r["allocator"], r["threads"]) == ("jemalloc", "1")), 3)
        self.assertTrue(all(r["status"] == "crash:SIGABRT" for r in failures))
        larson_1_jemalloc = [r for r in table_rows(text, "allocator")
                             if r["allocator"] == "jemalloc" and r.get("ok runs") == "0/3"]
        self.assertEqual(len(larson_1_jemalloc), 1)
        self.assertEqual(larson_1_jemalloc[0]["median Mops/s"], "–")
        with open(os.path.join(self.plots_dir, "throughput_larson.svg")) as f:
            svg = f.read()
        self.assertIn("3/3 crashed", svg)  # the failed cell is written where its bar would be
        self.assertIn("1/3 crashed", svg)  # and the partly failed one above its bar

    def test_table_numbers_match_summary_csv(self):
        text = self.text
        speed_rows = [r for r in table_rows(text, "allocator") if "median Mops/s" in r]
        resource_rows = [r for r in table_rows(text, "allocator") if "peak RSS MiB" in r]
        self.assertEqual(len(speed_rows), len(SPEEDS))
        self.assertEqual(len(resource_rows), len(SPEEDS))
        data = RunData(self.run_dir)
        for shown, res, row in zip(speed_rows, resource_rows, data.summary):
            self.assertEqual(shown["allocator"].strip("*"), row["allocator"])
            self.assertEqual(int(shown["threads"]), row["threads"])
            self.assertEqual(shown["ok runs"], "%d/%d" % (row["ok_runs"], row["runs"]))
            for column, csv_column in (("median Mops/s", "median_ops_per_sec"), ("min Mops/s", "min_ops_per_sec"),
                                       ("max Mops/s", "max_ops_per_sec")):
                if row[csv_column] is None:
                    self.assertEqual(shown[column], "–")
                else:
                    self.assertAlmostEqual(float(shown[column]), row[csv_column] / 1e6, places=3)
            for column, suffix in (("vs system [95% CI]", "system"), ("vs best peer [95% CI]", "best_peer")):
                if row["ratio_vs_" + suffix] is not None:
                    self.assertEqual(shown[column], summary.paired_text(row, suffix))
            if row["median_max_rss_kb"] is not None:
                self.assertAlmostEqual(float(res["peak RSS MiB"]), row["median_max_rss_kb"] / 1024, delta=0.05)
            for name in schema.KEY_SYSCALLS:
                self.assertEqual(int(res[name]), row[name])
            self.assertEqual(int(res["all syscalls"]), row["total_syscalls"])
            self.assertEqual(res["branch misses/op (source)"], "%.4f (cachegrind)" % row["branch_misses_per_op"])

    def test_failure_note_wording(self):
        self.assertIsNone(plots.failure_note(3, 3))
        self.assertEqual(plots.failure_note(5, 3, ["crash:SIGSEGV", "crash:SIGABRT"]), "2/5 crashed")
        self.assertEqual(plots.failure_note(5, 4, ["timeout"]), "1/5 timed out")
        self.assertEqual(plots.failure_note(5, 3, ["timeout", "corruption"]), "2/5 failed")

    def test_colours_are_fixed_per_allocator(self):
        one = plots.colours_for(["system", "hakmem", "zeta", "alpha"])
        two = plots.colours_for(["alpha", "zeta"])
        self.assertEqual(one["alpha"], two["alpha"])
        self.assertNotEqual(one["alpha"], one["zeta"])
        self.assertEqual(one["hakmem"], plots.COLOURS["hakmem"])


class PartialRunTest(RunDirCase):
    """Runs with parts missing: the figure goes, a note says why, nothing crashes."""

    def test_missing_perf_csv_skips_branch_figure_with_a_note(self):
        os.remove(os.path.join(self.run_dir, "perf.csv"))
        code, out = run_report(self.run_dir, "--plots-dir", self.plots_dir)
        self.assertEqual(code, 0)
        self.assertFalse(os.path.exists(os.path.join(self.plots_dir, "branch_misses.png")))
        self.assertTrue(os.path.exists(os.path.join(self.plots_dir, "throughput_larson.png")))
        self.assertIn("skipped figure branch_misses: perf.csv is missing", out)
        self.assertIn("- branch_misses: perf.csv is missing", self.report_text())

    def test_only_runs_csv_gives_a_report_without_crashing(self):
        for name in ("summary.csv", "syscalls.csv", "perf.csv", "meta.json"):
            os.remove(os.path.join(self.run_dir, name))
        code, _ = run_report(self.run_dir, "--plots-dir", self.plots_dir)
        self.assertEqual(code, 0)
        text = self.report_text()
        self.assertIn("summary.csv is missing", text)
        self.assertIn("crash:SIGABRT", text)  # failures still listed from runs.csv

    def test_missing_system_allocator_skips_relative_figures(self):
        for name in ("summary.csv", "runs.csv"):
            path = os.path.join(self.run_dir, name)
            with open(path) as f:
                lines = [line for line in f if ",system," not in line]
            with open(path, "w") as f:
                f.writelines(lines)
        code, out = run_report(self.run_dir, "--plots-dir", self.plots_dir)
        self.assertEqual(code, 0)
        self.assertIn("skipped figure relative_larson: no system malloc row", out)
        self.assertTrue(os.path.exists(os.path.join(self.plots_dir, "throughput_larson.png")))


class AllocCostReportTest(RunDirCase):
    """The allocator cost per call (callgrind columns of summary.csv): a table in the report and a figure;
    a summary.csv written before those columns existed still reads."""

    COST = {"system": (64.6, 102.8), "jemalloc": (30.7, 37.5), "hakmem": (21.0, 46.0)}  # per malloc, per free

    def rewrite_summary(self, change):
        path = os.path.join(self.run_dir, "summary.csv")
        rows = csvfiles.read(path, schema.SUMMARY)
        kind = change(rows)
        csvfiles.write_all(path, kind, [{c: row[c] for c in kind} for row in rows])

    def test_table_and_figure_of_the_measured_cells(self):
        def add_costs(rows):
            for row in rows:
                if row["workload"] == "random_mixed":
                    row["instructions_per_malloc"], row["instructions_per_free"] = self.COST[row["allocator"]]
                    row.update(d1_misses_per_malloc=0.25, ll_misses_per_free=0.0125, driver_instructions_per_op=116.5)
            return schema.SUMMARY
        self.rewrite_summary(add_costs)
        code, _ = run_report(self.run_dir, "--plots-dir", self.plots_dir)
        self.assertEqual(code, 0)
        text = self.report_text()
        self.assertIn("## Allocator cost per call", text)
        shown = [r for r in table_rows(text, "workload") if "instr/malloc" in r]
        self.assertEqual([(r["allocator"].strip("*"), r["instr/malloc"], r["instr/free"]) for r in shown],
                         [(a, "%.1f" % m, "%.1f" % f) for a, (m, f) in self.COST.items()])
        self.assertEqual((shown[0]["D1 misses/malloc"], shown[0]["LL misses/free"], shown[0]["D1 misses/free"]),
                         ("0.250", "0.0125", "–"))
        with open(os.path.join(self.plots_dir, "alloc_cost.svg")) as f:
            svg = f.read()
        for value in ("21.0", "46.0", "102.8"):
            self.assertIn(value, svg)

    def test_no_costs_no_section_and_a_reason_for_the_figure(self):
        code, out = run_report(self.run_dir, "--plots-dir", self.plots_dir)
        self.assertEqual(code, 0)
        self.assertNotIn("Allocator cost per call", self.report_text())
        self.assertIn("skipped figure alloc_cost: no allocator cost in this run", out)

    def test_summary_written_before_the_cost_columns_still_reads(self):
        self.rewrite_summary(lambda rows: schema.Schema("summary.csv", [
            (c, t) for c, t in schema.SUMMARY.columns if c not in schema.ALLOC_COST]))
        data = RunData(self.run_dir)
        self.assertEqual(data.notes, [])
        self.assertEqual(len(data.summary), len(SPEEDS))
        self.assertIsNone(data.summary[0]["instructions_per_malloc"])


class CommandLineTest(unittest.TestCase):
    def test_bad_flag_exits_2_with_usage(self):
        child = subprocess.run([PYTHON, REPORT, "--no-such-flag", "x"], capture_output=True, text=True)
        self.assertEqual(child.returncode, 2)
        self.assertIn("usage:", child.stderr)

    def test_missing_results_dir_exits_2(self):
        child = subprocess.run([PYTHON, REPORT, "/nonexistent/run"], capture_output=True, text=True)
        self.assertEqual(child.returncode, 2)
        self.assertIn("not a directory", child.stderr)


if __name__ == "__main__":
    unittest.main()
