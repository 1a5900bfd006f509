#!/usr/bin/env bash
# Harness suite: every harness/tests/test_*.py (unittest), one PASS/FAIL/SKIP line per test.
# Assumes `make` has been run (the integration tests use build/workloads and build/shims).
set -u
exec /usr/bin/python3 "$(dirname "$0")/pass_fail.py"
