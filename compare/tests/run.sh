#!/usr/bin/env bash
# compare/ suite: every compare/tests/test_*.py (unittest), one PASS/FAIL/SKIP line per test, printed by
# the harness suite's result class (harness/tests/pass_fail.py). Assumes `make` has been run.
set -u
cd "$(dirname "$0")" && exec /usr/bin/python3 -c '
import sys, unittest
sys.path.insert(0, "../../harness/tests")
from pass_fail import LineResult
result = LineResult()
unittest.defaultTestLoader.discover(".", pattern="test_*.py", top_level_dir=".").run(result)
sys.exit(0 if result.wasSuccessful() else 1)'
