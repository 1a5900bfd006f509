"""Reading and writing gate baselines: every malformed file is refused with a reason."""
import os
import tempfile
import unittest

from hakbench import schema
from hakbench.compare import baseline

KIND = schema.GATE_BASELINE
GOOD = "# cpu: Some CPU\n# kernel: 6.1\nworkload,threads,profile,ratio\nrandom_mixed,1,quick,1.25\nlarson,2,quick,0.9\n"


class ReadWrite(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "baseline.csv")

    def tearDown(self):
        self.dir.cleanup()

    def read(self, text):
        with open(self.path, "w") as f:
            f.write(text)
        return baseline.read(self.path, KIND, ["ratio"])

    def test_good_file(self):
        meta, rows = self.read(GOOD)
        self.assertEqual(meta, {"cpu": "Some CPU", "kernel": "6.1"})
        self.assertEqual([(r["workload"], r["threads"], r["ratio"], r["tolerance"]) for r in rows],
                         [("random_mixed", 1, 1.25, None), ("larson", 2, 0.9, None)])

    def test_round_trip(self):
        rows = [{"workload": "tiny_hot", "threads": 1, "profile": "quick", "ratio": 1.5, "tolerance": 0.1,
                 "ci_low": 1.41234, "ci_high": 1.6, "pairs": 45, "candidate_ops_per_sec": 97350222.4,
                 "system_ops_per_sec": 2.28244, "params": "--min=8, --max=128"}]
        baseline.write(self.path, "title", {"cpu": "X"}, KIND, rows)
        with open(self.path) as f:
            self.assertEqual(f.read().splitlines()[-1],
                             'tiny_hot,1,quick,1.5000,0.100,1.4123,1.6000,45,97350222,2.2824,"--min=8, --max=128"')
        meta, back = baseline.read(self.path, KIND, ["ratio"])
        self.assertEqual(meta["cpu"], "X")
        self.assertEqual(back, [dict(rows[0], ci_low=1.4123, candidate_ops_per_sec=97350222.0,
                                     system_ops_per_sec=2.2824)])

    def test_missing_file(self):
        with self.assertRaisesRegex(baseline.BaselineError, "no baseline"):
            baseline.read(self.path, KIND, ["ratio"])

    def test_committed_baselines_read(self):
        compare = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for name, kind, positive in (("baseline.csv", KIND, ["ratio"]),
                                     ("baseline_programs.csv", KIND, ["ratio"]),
                                     ("baseline_icount.csv", schema.ICOUNT_BASELINE, ["instructions_per_op"])):
            with self.subTest(name):
                meta, rows = baseline.read(os.path.join(compare, name), kind, positive)
                self.assertIn("cpu", meta)
                self.assertTrue(all(isinstance(r["threads"], int) and r[positive[0]] > 0 for r in rows))

    def test_malformed_files(self):
        cases = {
            "empty": "",
            "header only": "workload,threads,profile,ratio\n",
            "missing column": "workload,threads,profile\nrandom_mixed,1,quick\n",
            "not a number": "workload,threads,profile,ratio\nrandom_mixed,1,quick,fast\n",
            "zero ratio": "workload,threads,profile,ratio\nrandom_mixed,1,quick,0\n",
            "short row": "workload,threads,profile,ratio\nrandom_mixed,1\n",
            "extra cell": "workload,threads,profile,ratio\nrandom_mixed,1,quick,1.0,7\n",
            "unknown workload": "workload,threads,profile,ratio\nnope,1,quick,1.0\n",
            "bad threads": "workload,threads,profile,ratio\nrandom_mixed,two,quick,1.0\n",
            "empty ratio": "workload,threads,profile,ratio\nrandom_mixed,1,quick,\n",
            "negative tolerance": "workload,threads,profile,ratio,tolerance\nrandom_mixed,1,quick,1.0,-0.1\n",
        }
        for name, text in cases.items():
            with self.subTest(name):
                with self.assertRaises(baseline.BaselineError):
                    self.read(text)


if __name__ == "__main__":
    unittest.main()
