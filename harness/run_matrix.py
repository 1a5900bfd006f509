#!/usr/bin/python3
"""harness/run_matrix.py [options]: the benchmark matrix into results/<run-id>/ (run_all.sh runs it).

The code is harness/hakbench/cli/run_matrix.py. Python puts this file's directory, harness/, first on the module
path: hakbench is found there."""
import sys

from hakbench.cli import run_matrix

sys.exit(run_matrix.main(sys.argv))
