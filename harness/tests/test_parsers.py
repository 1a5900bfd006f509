"""Parsers of what the drivers and the tools print: RESULT lines, strace -c tables, perf stat -x, output
and cachegrind out files (samples captured on a Debian 12 machine)."""
import unittest

from hakbench import counters, schema, syscalls
from hakbench.result import find_result, parse_result_line

GOOD_RESULT = ("RESULT workload=random_mixed threads=1 ops=2004100 seconds=0.052216 ops_per_sec=38380873.7 "
               "iterations=2000000 ws=8192 min=16 max=1024 seed=42 warmup=100000")

# strace -f -c -qq of a two-threaded larson run: one row with an errors column, no mremap/madvise.
STRACE_SAMPLE = """\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 41.02    0.000578          13        42           mmap
 18.95    0.000267          44         6           clone3
 12.21    0.000172          14        12         2 futex
  9.44    0.000133          13        10           mprotect
  5.11    0.000072          18         4           munmap
  3.90    0.000055           7         7           brk
  0.00    0.000000           0         1           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.001409          16        82         2 total
"""

# perf stat -x, on a VM: hardware events unsupported, software events counted.
PERF_SAMPLE = """\
# started on Sun Nov 22 07:31:48 2026

<not supported>,,branches,0,100.00,,
<not supported>,,branch-misses,0,100.00,,
701,,page-faults,52180343,100.00,13.434,K/sec
<not supported>,,cycles,0,100.00,,
<not counted>,,instructions,0,0.00,,
2,,context-switches,52180343,100.00,38.329,/sec
"""

CACHEGRIND_SAMPLE = """\
desc: I1 cache:         32768 B, 64 B, 8-way associative
cmd: /bin/true
events: Ir Bc Bcm Bi Bim
fl=./csu/../csu/libc-start.c
fn=__libc_start_main@@GLIBC_2.34
128 2 0 0 0 0
summary: 131068 26302 3239 279 150
"""


class ResultLineTest(unittest.TestCase):
    def test_good_line(self):
        fields = parse_result_line(GOOD_RESULT)
        self.assertEqual(fields["workload"], "random_mixed")
        self.assertEqual(fields["ops"], "2004100")
        self.assertEqual(fields["ops_per_sec"], "38380873.7")
        self.assertEqual(fields["ws"], "8192")

    def test_malformed_lines_are_rejected(self):
        bad = ["", "RESULTS workload=x", GOOD_RESULT.replace("ops=2004100", "ops2004100"),
               GOOD_RESULT.replace(" ops_per_sec=38380873.7", ""), GOOD_RESULT.replace("seconds=0.052216", "seconds=abc"),
               GOOD_RESULT.replace("threads=1", "=1")]
        for line in bad:
            with self.assertRaises(ValueError, msg=line):
                parse_result_line(line)

    def test_find_result_takes_the_result_line_among_others(self):
        self.assertEqual(find_result("warming up\n%s\n" % GOOD_RESULT)["ops"], "2004100")
        self.assertIsNone(find_result("no result here\n"))


class StraceTest(unittest.TestCase):
    def test_table(self):
        counts = syscalls.parse_table(STRACE_SAMPLE)
        self.assertEqual(counts["mmap"], 42)
        self.assertEqual(counts["futex"], 12)   # the row with an errors column
        self.assertEqual(counts["total"], 82)
        self.assertNotIn("madvise", counts)

    def test_rows_have_every_key_syscall_and_the_total(self):
        rows = syscalls.rows(syscalls.parse_table(STRACE_SAMPLE))
        names = [name for name, _ in rows]
        self.assertEqual(names[:len(schema.KEY_SYSCALLS)], schema.KEY_SYSCALLS)
        self.assertEqual(rows[-1], ("total", 82))
        as_dict = dict(rows)
        self.assertEqual(as_dict["madvise"], 0)   # strace counted and saw none
        self.assertEqual(as_dict["mremap"], 0)
        self.assertEqual(as_dict["munmap"], 4)
        self.assertEqual(as_dict["clone3"], 6)

    def test_no_table_is_an_error(self):
        for text in ("", "strace: exec: No such file or directory\n"):
            with self.assertRaises(ValueError):
                syscalls.parse_table(text)

    def test_preload_goes_to_the_traced_program_only(self):
        argv = syscalls.command(["prog", "--x=1"], "/tmp/out", "/lib/libx.so")
        self.assertEqual(argv[0], "strace")
        self.assertIn("LD_PRELOAD=/lib/libx.so", argv)
        self.assertEqual(argv[argv.index("LD_PRELOAD=/lib/libx.so") - 1], "-E")
        self.assertEqual(argv[-3:], ["--", "prog", "--x=1"])


class PerfTest(unittest.TestCase):
    def test_unsupported_and_uncounted_are_none_not_zero(self):
        counts = counters.parse_perf(PERF_SAMPLE)
        self.assertIsNone(counts["branches"])
        self.assertIsNone(counts["branch-misses"])
        self.assertIsNone(counts["cycles"])
        self.assertIsNone(counts["instructions"])
        self.assertEqual(counts["page-faults"], 701)
        self.assertEqual(counts["context-switches"], 2)

    def test_event_modifier_is_dropped(self):
        self.assertEqual(counters.parse_perf("12345,,cycles:u,100,100.00,,\n"), {"cycles": 12345})

    def test_empty_output_is_an_error(self):
        with self.assertRaises(ValueError):
            counters.parse_perf("# started on ...\n\n")


class CachegrindTest(unittest.TestCase):
    def test_branches_and_misses_add_conditional_and_indirect(self):
        self.assertEqual(counters.parse_cachegrind(CACHEGRIND_SAMPLE),
                         {"branches": 26302 + 279, "branch-misses": 3239 + 150})

    def test_totals_by_event(self):  # what compare/gate_icount reads (Ir, without branch simulation)
        self.assertEqual(counters.cachegrind_totals("desc: x\nevents: Ir\nfn=main\n1 5\nsummary: 131068\n"),
                         {"Ir": 131068})

    def test_without_branch_simulation_is_an_error(self):
        with self.assertRaises(ValueError):
            counters.parse_cachegrind("events: Ir\nsummary: 131068\n")
        with self.assertRaises(ValueError):
            counters.parse_cachegrind("")


if __name__ == "__main__":
    unittest.main()
