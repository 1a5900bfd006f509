#!/usr/bin/env bash
# compare/ suite: every compare/tests/test_*.py (unittest), one PASS/FAIL/SKIP line per test, printed by
# the harness suite's runner (harness/tests/pass_fail.py). Assumes `make` has been run.
# harness/ goes on the module path (the hakbench package, where the compare tools' code lives).
set -u
here=$(cd "$(dirname "$0")" && pwd)
harness=$(cd "$here/../../harness" && pwd)
export PYTHONPATH=$harness${PYTHONPATH:+:$PYTHONPATH}
cd "$here" && exec /usr/bin/python3 "$harness/tests/pass_fail.py" .
