#!/usr/bin/env bash
# compare/ suite: every compare/tests/test_*.py (unittest), one PASS/FAIL/SKIP line per test, printed by
# the harness suite's runner (harness/tests/pass_fail.py). Assumes `make` has been run.
set -u
cd "$(dirname "$0")" && exec /usr/bin/python3 ../../harness/tests/pass_fail.py .
