#!/usr/bin/python3
"""Runs every test_*.py of a directory (default: this file's) with unittest and prints one line per
test, as the project's test contract wants: PASS <name> | FAIL <name>: <why> | SKIP <name>: <why>.
Exits 1 when a test failed or errored.

usage: pass_fail.py [DIR]      (other suites may also import LineResult)"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def _name(test):
    """module.Class.method; a file that fails to import shows as unittest.loader._FailedTest.<module>."""
    return test.id()


def _why(err_text, limit=300):
    """The exception line of a traceback (first unindented line after the header), cut to limit characters."""
    lines = err_text.strip().splitlines()
    why = next((line for line in lines[1:] if line and not line[0].isspace()), lines[-1] if lines else "failed")
    return why if len(why) <= limit else why[:limit] + "..."


class LineResult(unittest.TestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print("PASS %s" % _name(test), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("FAIL %s: %s" % (_name(test), _why(self.failures[-1][1])), flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print("FAIL %s: %s" % (_name(test), _why(self.errors[-1][1])), flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print("SKIP %s: %s" % (_name(test), reason), flush=True)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        print("FAIL %s: expected failures are not allowed here" % _name(test), flush=True)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        print("FAIL %s: unexpected success" % _name(test), flush=True)


def main(argv):
    where = os.path.abspath(argv[1]) if len(argv) > 1 else HERE
    suite = unittest.defaultTestLoader.discover(where, pattern="test_*.py", top_level_dir=where)
    result = LineResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
