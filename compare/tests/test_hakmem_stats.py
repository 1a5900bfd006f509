"""Parsing of libhakmem's HAKMEM_STATS=json line, including a field list the parser has never seen."""
import unittest

from hakbench.compare import hakmem_stats

LINE = ('{"hakmem_stats":1,"totals":{"mallocs":300,"frees":290,"warm_hits":90,"warm_misses":10},'
        '"classes":[{"class":0,"size":16,"mallocs":100,"warm_hits":30,"warm_misses":5,"refills":2},'
        '{"class":1,"size":32,"mallocs":200,"warm_hits":60,"warm_misses":5,"refills":3}],'
        '"slabs_formatted":4,"peak_bytes_mapped":1048576}')


class Parse(unittest.TestCase):
    def test_totals_class_sums_and_rates(self):
        wrapper = '{"hakmem_stats":1,"totals":{"mallocs":2}}'  # GNU time's own line comes last
        c = hakmem_stats.parse("noise\n" + LINE + "\nmore noise\n" + wrapper + "\n")
        self.assertEqual(c["totals.mallocs"], 300)
        self.assertEqual(c["classes[].refills"], 5)
        self.assertEqual(c["classes[].mallocs"], 300)
        self.assertNotIn("classes[].size", c)
        self.assertEqual(c["slabs_formatted"], 4)
        self.assertAlmostEqual(c["totals.warm_hit_rate"], 0.9)

    def test_class_sums_shown_only_when_totals_lack_them(self):
        shown = hakmem_stats.shown(hakmem_stats.parse(LINE))
        self.assertIn("classes[].refills", shown)      # no totals.refills: the class sum is the only figure
        self.assertNotIn("classes[].mallocs", shown)   # totals.mallocs says the same
        self.assertIn("totals.mallocs", shown)

    def test_unknown_fields_still_parse(self):
        c = hakmem_stats.parse('{"hakmem_stats":2,"totals":{"new_counter":7},"extra":{"nested":{"deep":1.5}}}')
        self.assertEqual(c, {"totals.new_counter": 7, "extra.nested.deep": 1.5})

    def test_absent_and_broken(self):
        self.assertIsNone(hakmem_stats.parse("RESULT workload=x\n"))
        with self.assertRaises(ValueError):
            hakmem_stats.parse('{"hakmem_stats":1,"totals":{')


if __name__ == "__main__":
    unittest.main()
