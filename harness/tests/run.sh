#!/usr/bin/env bash
# Harness suite: every harness/tests/test_*.py (unittest), one PASS/FAIL/SKIP line per test.
# Assumes `make` has been run (the integration tests use build/workloads and build/shims).
# harness/ goes on the module path (the hakbench package); one test by hand, from the top of the repo:
#   PYTHONPATH=harness /usr/bin/python3 -m unittest discover -s harness/tests -p test_stats.py
set -u
harness=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONPATH=$harness${PYTHONPATH:+:$PYTHONPATH}
exec /usr/bin/python3 "$harness/tests/pass_fail.py"
