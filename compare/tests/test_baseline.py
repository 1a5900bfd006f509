"""Reading and writing gate baselines: every malformed file is refused with a reason."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import baseline  # noqa: E402

COLUMNS = ["workload", "threads", "profile", "ratio"]
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
        return baseline.read(self.path, COLUMNS, ["ratio"])

    def test_good_file(self):
        meta, rows = self.read(GOOD)
        self.assertEqual(meta, {"cpu": "Some CPU", "kernel": "6.1"})
        self.assertEqual([(r["workload"], r["threads"], r["ratio"]) for r in rows],
                         [("random_mixed", 1, 1.25), ("larson", 2, 0.9)])

    def test_round_trip(self):
        rows = [{"workload": "tiny_hot", "threads": 1, "profile": "quick", "ratio": "1.5000"}]
        baseline.write(self.path, "title", {"cpu": "X"}, COLUMNS, rows)
        meta, back = baseline.read(self.path, COLUMNS, ["ratio"])
        self.assertEqual(meta["cpu"], "X")
        self.assertEqual(back[0]["ratio"], 1.5)

    def test_missing_file(self):
        with self.assertRaisesRegex(baseline.BaselineError, "no baseline"):
            baseline.read(self.path, COLUMNS, ["ratio"])

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
        }
        for name, text in cases.items():
            with self.subTest(name):
                with self.assertRaises(baseline.BaselineError):
                    self.read(text)


if __name__ == "__main__":
    unittest.main()
