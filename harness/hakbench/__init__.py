"""hakbench: the Python side of the HAKMEM benchmark harness.

Modules:
  schema      column lists of every CSV the harness writes (one source of truth)
  result      parsing of the drivers' RESULT line
  allocators  which allocator libraries exist and how to preload them
  proc        running one command with its rusage, timeout and status
"""
