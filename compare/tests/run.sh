#!/usr/bin/env bash
# compare/ test suite: runs every compare/tests/test_*.py, one line per test: PASS/FAIL/SKIP <name>.
# Assumes `make` has been run (build/workloads/ and build/shims/).
cd "$(dirname "$0")" && exec /usr/bin/python3 pass_fail.py
