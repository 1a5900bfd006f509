#!/usr/bin/python3
"""harness/run_shard.py JOB_DIR SHARD: one shard of a cluster job (its slurm.sbatch and parallel.sh run it).

The code is harness/hakbench/cli/run_shard.py. Python puts this file's directory, harness/, first on the module
path: hakbench is found there."""
import sys

from hakbench.cli import run_shard

sys.exit(run_shard.main(sys.argv))
