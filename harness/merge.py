#!/usr/bin/python3
"""harness/merge.py [--out DIR] [--vary KEY] RUN_OR_JOB_DIR...: runs of several machines in one report.

The code is harness/hakbench/cli/merge.py. Python puts this file's directory, harness/, first on the module
path: hakbench is found there."""
import sys

from hakbench.cli import merge

sys.exit(merge.main())
