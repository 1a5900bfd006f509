#!/usr/bin/python3
"""harness/report.py RESULTS_DIR [--plots-dir DIR]: the figures and report.md of one harness run.

The code is harness/hakbench/cli/report.py. Python puts this file's directory, harness/, first on the module
path: hakbench is found there."""
import sys

from hakbench.cli import report

sys.exit(report.main())
