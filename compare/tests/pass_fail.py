"""Run the unittest files of this folder and print one PASS/FAIL/SKIP line per test (the suite contract)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class LineResult(unittest.TestResult):
    @staticmethod
    def _name(test):
        return "compare." + test.id()

    @staticmethod
    def _why(err):
        return str(err[1]).strip().splitlines()[-1] if str(err[1]).strip() else err[0].__name__

    def addSuccess(self, test):
        super().addSuccess(test)
        print("PASS %s" % self._name(test), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("FAIL %s: %s" % (self._name(test), self._why(err)), flush=True)
        print(self._exc_info_to_string(err, test), file=sys.stderr)

    def addError(self, test, err):
        super().addError(test, err)
        print("FAIL %s: error %s" % (self._name(test), self._why(err)), flush=True)
        print(self._exc_info_to_string(err, test), file=sys.stderr)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print("SKIP %s: %s" % (self._name(test), reason), flush=True)


def main():
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    result = LineResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
