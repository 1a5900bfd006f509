#!/usr/bin/python3
"""harness/emit_jobs.py: writes a job of shards for a cluster (run by run_all.sh --emit-jobs DIR).

The code is harness/hakbench/cli/emit_jobs.py. Python puts this file's directory, harness/, first on the module
path: hakbench is found there."""
import sys

from hakbench.cli import emit_jobs

sys.exit(emit_jobs.main(sys.argv))
