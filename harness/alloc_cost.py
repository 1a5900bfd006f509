#!/usr/bin/python3
"""harness/alloc_cost.py [options]: the allocators' instructions and misses per malloc and per free (callgrind).

The code is harness/hakbench/cli/alloc_cost.py. Python puts this file's directory, harness/, first on the module
path: hakbench is found there."""
import sys

from hakbench.cli import alloc_cost

sys.exit(alloc_cost.main(sys.argv))
