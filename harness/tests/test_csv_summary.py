"""The CSV appenders (header once, every row on disk at once), the typed reader, and summary.csv from hand-made CSVs."""
import os
import shutil
import tempfile
import unittest

from hakbench import csvfiles, schema, summary
from hakbench.run_data import RunData


AB = schema.Schema("x.csv", [("a", schema.INT), ("b", schema.TEXT)])


class AppendWriterTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "x.csv")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def lines(self):
        with open(self.path) as f:   # a separate reader: what is on disk, not in our buffer
            return f.read().splitlines()

    def test_row_is_on_disk_before_the_next_write(self):
        writer = csvfiles.AppendWriter(self.path, AB)
        self.assertEqual(self.lines(), ["a,b"])
        writer.write({"a": 1, "b": "x"})
        self.assertEqual(self.lines(), ["a,b", "1,x"])   # not closed yet
        writer.write({"a": 2})
        self.assertEqual(self.lines(), ["a,b", "1,x", "2,"])
        writer.close()

    def test_header_once_when_appending_to_an_existing_file(self):
        with csvfiles.AppendWriter(self.path, AB) as w:
            w.write({"a": 1, "b": 2})
        with csvfiles.AppendWriter(self.path, AB) as w:
            w.write({"a": 3, "b": 4})
        self.assertEqual(self.lines(), ["a,b", "1,2", "3,4"])

    def test_other_columns_are_refused(self):
        with csvfiles.AppendWriter(self.path, AB):
            pass
        with self.assertRaises(ValueError):
            csvfiles.AppendWriter(self.path, schema.Schema("x.csv", [("a", schema.INT), ("c", schema.TEXT)]))
        with csvfiles.AppendWriter(self.path, AB) as w, self.assertRaises(ValueError):
            w.write({"a": 1, "zzz": 2})

    def test_cells(self):
        numbers = schema.Schema("x.csv", [(name, schema.FLOAT) for name in ("none", "whole", "frac", "tiny")])
        with csvfiles.AppendWriter(self.path, numbers) as w:
            w.write({"none": None, "whole": 4080.0, "frac": 0.0759510001, "tiny": 1.852380952380e-05})
        self.assertEqual(self.lines()[1], ",4080,0.0759510001,1.852380952e-05")

    def test_a_number_column_refuses_what_is_not_its_type(self):
        with csvfiles.AppendWriter(self.path, AB) as w:
            for bad in (1.5, "1.5", "many", True):
                with self.assertRaisesRegex(ValueError, "x.csv: column a: "):
                    w.write({"a": bad})
            w.write({"a": "7"})   # the text of a whole number, as a driver's RESULT line gives it
        self.assertEqual(self.lines(), ["a,b", "7,"])


class TypedReaderTest(unittest.TestCase):
    """csvfiles.read: typed values, clear errors, and figures that were not counted staying uncounted."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write_text(self, name, lines):
        with open(self.path(name), "w") as f:
            f.write("\n".join(lines) + "\n")
        return self.path(name)

    def test_runs_round_trip_typed(self):
        rows = [dict(r, params="--seed=42", work_unit="op") for r in RUNS]
        csvfiles.write_all(self.path("runs.csv"), schema.RUNS, rows)
        back = csvfiles.read(self.path("runs.csv"), schema.RUNS)
        self.assertEqual(back, rows)
        first = back[0]
        columns = ("threads", "rep", "exit_code", "ops_per_sec", "max_rss_kb", "status")
        self.assertEqual([type(first[c]) for c in columns], [int, int, int, float, int, str])
        self.assertEqual(back[3]["exit_code"], -6)
        self.assertIsNone(back[3]["ops_per_sec"])   # a crashed run has no speed: empty, not 0

    def test_summary_round_trip_typed(self):
        rows = summary.summarize(RUNS, SYSCALLS, PERF)
        csvfiles.write_all(self.path("summary.csv"), schema.SUMMARY, rows)
        back = csvfiles.read(self.path("summary.csv"), schema.SUMMARY)
        self.assertEqual(back, [{c: r.get(c) for c in schema.SUMMARY} for r in rows])

    def test_column_formats(self):
        csvfiles.write_all(self.path("ab.csv"), schema.AB, [{"side": "B", "threads": 1, "median_ops_per_sec": 1234567.8,
                                                            "ratio_vs_ref": 0.95, "p_value": 0.000123456}])
        csvfiles.write_all(self.path("ab_counters.csv"), schema.AB_COUNTERS, [{"counter": "hit_rate",
                                                                              "value": 0.987654321098}])
        with open(self.path("ab.csv"), newline="") as f:
            self.assertEqual(f.read().split("\n")[1], ",,B,,,,1,,,,1234568,,,0.9500,,,0.0001235,,,")
        with open(self.path("ab_counters.csv"), newline="") as f:
            self.assertEqual(f.read().split("\n")[1], ",,hit_rate,0.987654321098")   # every digit of a counter

    def test_a_bad_number_names_file_line_and_column(self):
        header = ",".join(schema.RATIOS)
        good = "r,random_mixed,1,hakmem,system,5,1.2,1.1,1.3,0.01,faster"
        for bad, column in (("r,random_mixed,1,hakmem,system,5,fast,1.1,1.3,0.01,faster", "ratio"),
                            ("r,random_mixed,1.5,hakmem,system,5,1.2,1.1,1.3,0.01,faster", "threads"),
                            ("r,random_mixed,1,hakmem,system,5,1.2,NA,1.3,0.01,faster", "ci_low"),
                            ("r,random_mixed,1,hakmem,system,5,1.2,unsupported,1.3,0.01,faster", "ci_low")):
            path = self.write_text("ratios.csv", [header, good, bad])
            with self.assertRaises(csvfiles.CSVError) as caught:
                csvfiles.read(path, schema.RATIOS)
            self.assertIn("%s line 3, column %s: " % (path, column), str(caught.exception))
        path = self.write_text("ratios.csv", [header, good + ",extra"])
        with self.assertRaisesRegex(csvfiles.CSVError, "ratios.csv line 2: 12 cells, the header has 11"):
            csvfiles.read(path, schema.RATIOS)

    def test_bad_rows_can_be_skipped_with_a_report(self):
        header = ",".join(schema.SYSCALLS)
        path = self.write_text("syscalls.csv", [header, "r,w,a,1,mmap,3", "r,w,a,1,brk,lots", "r,w,a,1,brk,4"])
        said = []
        rows = csvfiles.read(path, schema.SYSCALLS, bad_row=said.append)
        self.assertEqual([(r["syscall"], r["calls"]) for r in rows], [("mmap", 3), ("brk", 4)])
        self.assertEqual(len(said), 1)
        self.assertIn("line 3, column calls: 'lots'", str(said[0]))

    def test_a_run_directory_skips_a_bad_row_and_says_which(self):
        csvfiles.write_all(self.path("runs.csv"), schema.RUNS, RUNS)
        with open(self.path("runs.csv"), "a") as f:
            f.write("%s,tiny_hot,system,1,,9,ok,0,1000,1,quick,1,1,0,100,5,0,op\r\n" % RUN)
        data = RunData(self.dir)
        self.assertEqual(data.runs, csvfiles.read(self.path("runs.csv"), schema.RUNS, bad_row=lambda e: None))
        self.assertEqual(len(data.runs), len(RUNS))
        self.assertIn("runs.csv line %d, column ops_per_sec: 'quick' is not a number: skipped" % (len(RUNS) + 2),
                      "\n".join(data.notes))

    def test_header_lacking_a_column(self):
        path = self.write_text("perf.csv", ["run_id,workload,allocator,threads,event,value,source", "r,w,a,1,e,5,perf"])
        with self.assertRaisesRegex(csvfiles.CSVError, "perf.csv: the header lacks column per_op"):
            csvfiles.read(path, schema.PERF)
        # a column added after runs were committed may be absent: it reads as None
        path = self.write_text("runs.csv", [",".join(c for c in schema.RUNS if c != "work_unit"),
                                            "r,w,a,1,,1,ok,0,10,1,10,1,1,0,100,5,0"])
        self.assertIsNone(csvfiles.read(path, schema.RUNS)[0]["work_unit"])

    def test_unsupported_stays_unsupported(self):
        for name, kind, rows in (("runs.csv", schema.RUNS, RUNS), ("syscalls.csv", schema.SYSCALLS, SYSCALLS),
                                 ("perf.csv", schema.PERF, PERF)):
            csvfiles.write_all(self.path(name), kind, rows)
        perf = csvfiles.read(self.path("perf.csv"), schema.PERF)
        uncounted = [r for r in perf if r["source"] == "unsupported"]
        self.assertEqual([(r["allocator"], r["value"], r["per_op"]) for r in uncounted],
                         [("system", None, None), ("mimalloc", None, None)])
        summary.write(self.dir)
        rows = {(r["workload"], r["allocator"]): r for r in csvfiles.read(self.path("summary.csv"), schema.SUMMARY)}
        mim = rows[("random_mixed", "mimalloc")]
        self.assertEqual((mim["branch_misses_per_op"], mim["branch_misses_source"]), (None, "unsupported"))
        self.assertIsNone(mim["mmap"])          # strace did not run for it: no count, not 0
        self.assertEqual(rows[("random_mixed", "system")]["madvise"], 0)   # counted, and none seen
        with open(self.path("summary.csv")) as f:
            text = f.read().splitlines()
        line = [l for l in text if l.startswith(RUN + ",random_mixed,mimalloc,")][0]
        self.assertIn(",,unsupported,", line)   # branch_misses_per_op written empty before its source


RUN = "20240101T000000Z-abc1234"


def run_row(workload, allocator, threads, rep, ops_per_sec, status="ok", rss=1000, faults=100):
    ok = status == "ok"
    return {"run_id": RUN, "workload": workload, "allocator": allocator, "threads": threads,
            "params": None, "rep": rep, "status": status, "exit_code": 0 if ok else -6,
            "ops": 1000.0 if ok else None, "seconds": 1.0 if ok else None, "ops_per_sec": ops_per_sec if ok else None,
            "wall_s": 1.0, "user_s": 1.0, "sys_s": 0.0, "max_rss_kb": rss, "minor_faults": faults,
            "major_faults": 0, "work_unit": None}


# Hand-made runs: system 10/12/11 (median 11), jemalloc 30/20/25 (median 25, one crash besides),
# mimalloc 22/22 + a timeout; hakmem crashed every time; larson has no system row at all.
RUNS = [
    run_row("random_mixed", "system", 1, 1, 10e6, rss=1000), run_row("random_mixed", "jemalloc", 1, 1, 30e6, rss=3000),
    run_row("random_mixed", "mimalloc", 1, 1, 22e6), run_row("random_mixed", "hakmem", 1, 1, 0, "crash:SIGSEGV"),
    run_row("random_mixed", "system", 1, 2, 12e6, rss=2000), run_row("random_mixed", "jemalloc", 1, 2, 20e6, rss=1000),
    run_row("random_mixed", "mimalloc", 1, 2, 22e6), run_row("random_mixed", "hakmem", 1, 2, 0, "crash:SIGSEGV"),
    run_row("random_mixed", "system", 1, 3, 11e6, rss=3000), run_row("random_mixed", "jemalloc", 1, 3, 25e6, rss=2000),
    run_row("random_mixed", "mimalloc", 1, 3, 0, "timeout"), run_row("random_mixed", "jemalloc", 1, 3, 0, "crash:SIGABRT"),
    run_row("larson", "jemalloc", 2, 1, 8e6), run_row("larson", "tcmalloc", 2, 1, 4e6),
]
SYSCALLS = [{"run_id": RUN, "workload": "random_mixed", "allocator": "system", "threads": 1, "syscall": s, "calls": c}
            for s, c in [("mmap", 10), ("munmap", 1), ("madvise", 0), ("mprotect", 3), ("brk", 21),
                         ("mremap", 0), ("futex", 2), ("total", 54)]]


def perf_row(allocator, event, value, per_op, source):
    return {"run_id": RUN, "workload": "random_mixed", "allocator": allocator, "threads": 1, "event": event,
            "value": value, "per_op": per_op, "source": source}


PERF = [perf_row("system", "branch-misses", None, None, "unsupported"),
        perf_row("system", "branch-misses", 9000, 0.9, "cachegrind"),
        perf_row("jemalloc", "branch-misses", 5000, 0.5, "perf"),
        perf_row("jemalloc", "branch-misses", 7000, 0.7, "cachegrind"),
        perf_row("mimalloc", "branch-misses", None, None, "unsupported"),
        perf_row("mimalloc", "page-faults", 700, 0.7, "perf")]


class SummaryTest(unittest.TestCase):
    def setUp(self):
        rows = summary.summarize(RUNS, SYSCALLS, PERF)
        self.rows = {(r["workload"], r["allocator"], str(r["threads"])): r for r in rows}
        self.order = [(r["workload"], r["allocator"]) for r in rows]

    def test_medians_over_ok_runs_and_failed_runs_counted(self):
        jem = self.rows[("random_mixed", "jemalloc", "1")]
        self.assertEqual((jem["runs"], jem["ok_runs"]), (4, 3))
        self.assertEqual(jem["median_ops_per_sec"], 25e6)
        self.assertEqual((jem["min_ops_per_sec"], jem["max_ops_per_sec"]), (20e6, 30e6))
        self.assertEqual(jem["median_max_rss_kb"], 2000)
        mim = self.rows[("random_mixed", "mimalloc", "1")]
        self.assertEqual((mim["runs"], mim["ok_runs"], mim["median_ops_per_sec"]), (3, 2, 22e6))

    def test_ratios(self):
        system = self.rows[("random_mixed", "system", "1")]
        self.assertEqual((system["ratio_of_medians_vs_system"], system.get("ratio_vs_system")), (1.0, None))
        jem = self.rows[("random_mixed", "jemalloc", "1")]
        self.assertEqual(jem["ratio_of_medians_vs_system"], round(25 / 11, 4))
        self.assertEqual(jem["ratio_vs_system"], round(25 / 11, 4))  # per rep 3.0, 1.67, 2.27
        # paired with mimalloc in reps 1 and 2 only (its rep 3 timed out): 30/22 and 20/22
        self.assertEqual((jem["best_peer"], jem["ratio_vs_best_peer"]), ("mimalloc", round(25 / 22, 4)))
        self.assertEqual(jem["ratio_of_medians_vs_best_peer"], round(25 / 22, 4))
        # system against jemalloc per rep: 1/3, 0.6, 0.44; against mimalloc 0.45, 0.55: jemalloc is the best peer
        self.assertEqual((system["best_peer"], system["ratio_vs_best_peer"]), ("jemalloc", round(11 / 25, 4)))

    def test_cell_without_ok_run_has_empty_figures(self):
        hak = self.rows[("random_mixed", "hakmem", "1")]
        self.assertEqual((hak["runs"], hak["ok_runs"]), (2, 0))
        for column in ("median_ops_per_sec", "min_ops_per_sec", "max_ops_per_sec", "ratio_vs_system",
                       "ratio_of_medians_vs_system", "ratio_vs_best_peer", "best_peer", "median_max_rss_kb"):
            self.assertIsNone(hak.get(column), column)

    def test_no_system_run_means_no_ratio_to_system(self):
        tc = self.rows[("larson", "tcmalloc", "2")]
        self.assertIsNone(tc["ratio_of_medians_vs_system"])
        # one rep each: no pairs, so the best peer is the fastest median and there is no paired ratio
        self.assertEqual((tc["best_peer"], tc["ratio_of_medians_vs_best_peer"]), ("jemalloc", 0.5))
        self.assertIsNone(tc.get("ratio_vs_best_peer"))

    def test_syscall_columns(self):
        system = self.rows[("random_mixed", "system", "1")]
        self.assertEqual((system["mmap"], system["brk"], system["madvise"], system["total_syscalls"]), (10, 21, 0, 54))
        self.assertIsNone(self.rows[("random_mixed", "jemalloc", "1")]["mmap"])   # not measured: empty, not 0

    def test_branch_misses_prefer_perf_then_cachegrind_else_unsupported(self):
        self.assertEqual(self.rows[("random_mixed", "jemalloc", "1")]["branch_misses_per_op"], 0.5)
        self.assertEqual(self.rows[("random_mixed", "jemalloc", "1")]["branch_misses_source"], "perf")
        system = self.rows[("random_mixed", "system", "1")]
        self.assertEqual((system["branch_misses_per_op"], system["branch_misses_source"]), (0.9, "cachegrind"))
        mim = self.rows[("random_mixed", "mimalloc", "1")]
        self.assertEqual((mim["branch_misses_per_op"], mim["branch_misses_source"]), (None, "unsupported"))
        self.assertEqual(self.rows[("larson", "jemalloc", "2")]["branch_misses_source"], None)

    def test_order_follows_the_workload_list_then_first_appearance(self):
        self.assertEqual(self.order[0], ("random_mixed", "system"))
        self.assertEqual(self.order[-1], ("larson", "tcmalloc"))

    def test_write_reads_the_run_csvs_and_writes_summary_csv(self):
        tmp = tempfile.mkdtemp()
        try:
            for name, columns, rows in (("runs.csv", schema.RUNS, RUNS), ("syscalls.csv", schema.SYSCALLS, SYSCALLS),
                                        ("perf.csv", schema.PERF, PERF)):
                csvfiles.write_all(os.path.join(tmp, name), columns, rows)
            summary.write(tmp)
            with open(os.path.join(tmp, "summary.csv")) as f:
                lines = f.read().splitlines()
            self.assertEqual(lines[0], ",".join(schema.SUMMARY))
            written = csvfiles.read(os.path.join(tmp, "summary.csv"), schema.SUMMARY)
            jem = [r for r in written if r["allocator"] == "jemalloc" and r["workload"] == "random_mixed"][0]
            self.assertEqual((jem["median_ops_per_sec"], jem["ratio_vs_system"], jem["best_peer"]),
                             (25e6, 2.2727, "mimalloc"))
            self.assertTrue(any(line.startswith("%s,random_mixed,jemalloc,1,4,3,25000000,20000000,30000000,spread"
                                                % RUN) for line in lines))
            ratios = csvfiles.read(os.path.join(tmp, "ratios.csv"), schema.RATIOS)
            jem_vs_mim = [r for r in ratios if (r["allocator"], r["versus"]) == ("jemalloc", "mimalloc")]
            self.assertEqual([(r["pairs"], r["ratio"]) for r in jem_vs_mim], [(2, 1.1364)])
            hak = [r for r in written if r["allocator"] == "hakmem"][0]
            self.assertEqual((hak["runs"], hak["ok_runs"], hak["median_ops_per_sec"]), (2, 0, None))
        finally:
            shutil.rmtree(tmp)

    def test_table_names_ratios(self):
        text = summary.format_table(summary.summarize(RUNS, SYSCALLS, PERF))
        self.assertIn("== random_mixed", text)
        self.assertIn("2.27x [", text)            # jemalloc vs system
        self.assertRegex(text, r"1\.14x \[[0-9., ]+\] no detectable difference \(mimalloc\*\)")  # vs its best peer


# Five reps with a drifting machine: system's speed moves from rep to rep and every allocator moves with it.
DRIFT = [10e6, 14e6, 11e6, 13e6, 12e6]
PAIRED = ([run_row("tiny_hot", "system", 1, rep, s) for rep, s in enumerate(DRIFT, 1)]
          + [run_row("tiny_hot", "double", 1, rep, 2 * s * (1 + 0.01 * (rep % 2))) for rep, s in enumerate(DRIFT, 1)]
          + [run_row("tiny_hot", "same", 1, rep, s) for rep, s in enumerate(DRIFT, 1)]
          + [run_row("tiny_hot", "twostate", 1, rep, s) for rep, s in enumerate([12e6, 12e6, 16e6, 16e6, 16e6], 1)]
          + [run_row("tiny_hot", "steady", 1, rep, s) for rep, s in enumerate([12e6, 12.1e6, 11.9e6, 12e6, 12e6], 1)])


class PairedRatioTest(unittest.TestCase):
    """Paired ratios, intervals, verdicts and noise flags on runs whose answers are known."""

    def setUp(self):
        self.rows = {r["allocator"]: r for r in summary.summarize(PAIRED)}

    def test_twice_as_fast_is_faster(self):
        double = self.rows["double"]
        self.assertAlmostEqual(double["ratio_vs_system"], 2.02, places=4)
        self.assertGreater(double["ci_low_vs_system"], 1.9)
        self.assertLess(double["ci_high_vs_system"], 2.1)
        self.assertEqual(double["verdict_vs_system"], "faster")
        self.assertEqual(self.rows["system"]["verdict_vs_best_peer"], "slower")
        self.assertEqual(self.rows["system"]["best_peer"], "double")

    def test_identical_samples_are_no_detectable_difference(self):
        same = self.rows["same"]
        self.assertEqual((same["ratio_vs_system"], same["ci_low_vs_system"], same["ci_high_vs_system"]),
                         (1.0, 1.0, 1.0))
        self.assertEqual(same["verdict_vs_system"], "no detectable difference")

    def test_pairs_are_made_within_a_rep(self):
        # ratios of runs of the same rep: 2.02 or 2.0 every time although system's own speed spans 10-14
        ratios = [r for r in summary.ratio_rows(PAIRED) if (r["allocator"], r["versus"]) == ("double", "system")]
        self.assertEqual((ratios[0]["pairs"], ratios[0]["ci_low"], ratios[0]["ci_high"]), (5, 2.0, 2.02))

    def test_bimodal_sample_is_flagged_noisy(self):
        self.assertRegex(self.rows["twostate"]["noise"], r"^bimodal: 2 runs 25% below the other 3")
        self.assertIsNone(self.rows["steady"]["noise"])
        text = summary.format_table(summary.summarize(PAIRED))
        self.assertIn("twostate*", text)
        self.assertIn("* twostate threads=1: bimodal", text)

    def test_wide_spread_is_flagged_noisy(self):
        self.assertRegex(self.rows["system"]["noise"] or "", r"^spread: IQR 17% of the median")


if __name__ == "__main__":
    unittest.main()
