"""What the compare tools (compare/ab, gate, gate_icount, large_churn, runs) share beyond the harness core.

  measure      sides (an allocator plus environment overrides) run in interleaved rounds
  baseline     the gates' baseline files: '# key: value' lines over a CSV
  gating       what compare/gate and gate_icount share: the rows to check, a new baseline's meta, the verdict
  base_build   HAKMEM built at another git revision (compare/gate --against REV)
  libraries    the gate's two libraries: the same machine code or not, fresh copies for each round
  hakmem_stats the counters libhakmem prints with HAKMEM_STATS=json, flattened
  abplot       the figure of compare/ab
"""
