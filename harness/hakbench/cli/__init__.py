"""The commands. Each module has main() and runs as `python3 -m hakbench.cli.<name>`; the files users run are
thin entry points: harness/<name>.py (Python finds hakbench beside them) and compare/<name> (shell scripts
that put harness/ on PYTHONPATH).

  run_matrix   the benchmark matrix (harness/run_matrix.py; run_all.sh runs it)
  report       figures and report.md of a run (harness/report.py)
  alloc_cost   allocator instructions and misses per call under callgrind (harness/alloc_cost.py)
  emit_jobs, run_shard, merge   shards on a cluster (run_all.sh --emit-jobs, harness/run_shard.py, harness/merge.py)
  ab, gate, gate_icount, runs, large_churn   the compare/ tools of the same names
"""
