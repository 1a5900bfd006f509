"""hakbench: the Python side of the HAKMEM benchmark harness.

Modules:
  schema      every CSV file kind the harness and compare/ write: columns and their types (one source of truth)
  result      parsing of the drivers' RESULT line
  allocators  which allocator libraries exist and how to preload them
  proc        running one command with its rusage, timeout and status
  workloads   the drivers' command lines at each profile (full, quick, tiny)
  csvfiles    writing CSV rows through the schema (appended rows on disk at once); the one typed reader
  syscalls    strace -f -c: command and table parser
  counters    perf stat and cachegrind: commands, parsers, which events the machine counts
  stats       paired ratios, bootstrap intervals, verdicts, noise flags (also used by compare/)
  summary     summary.csv (medians, ratios to system and to the best peer) and the terminal table
  meta        meta.json: machine, tools, allocator versions, git state, knobs
  progress    progress lines with an ETA
  matrix      the measurement matrix behind run_matrix.py
  compare     what the compare tools share (interleaved sides, baselines, gating, base builds)
  cli         the commands (run_matrix, report, ..., ab, gate): harness/*.py and compare/* are their entry points

The commands find this package on the module path: harness/*.py because Python puts a script's directory first,
compare/* because they set PYTHONPATH to harness/; no module edits the path.
"""
