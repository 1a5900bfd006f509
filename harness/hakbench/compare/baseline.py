"""Baseline files of the gates: a CSV whose leading '# key: value' lines say what it was measured on.

    # compare/gate baseline: ...
    # cpu: AMD EPYC
    workload,threads,profile,ratio,...
    random_mixed,1,quick,1.234,...

Their columns and types are hakbench.schema's GATE_BASELINE and ICOUNT_BASELINE; csvfiles reads and writes them.
"""
import os

from .. import csvfiles
from .measure import CATALOG


class BaselineError(Exception):
    """A missing or malformed baseline (the gates exit 2 on it)."""


def read(path, kind, positive):
    """(meta dict, typed rows) of a baseline of schema kind. Every row must fill the columns the schema does not
    call optional, and name a known workload; the columns named in positive must hold numbers > 0, the other
    number columns, when filled, numbers >= 0 (None when absent or empty). Raises BaselineError."""
    if not os.path.exists(path):
        raise BaselineError("no baseline at %s (measure one with --update-baseline)" % path)
    try:
        meta, rows = csvfiles.read_with_meta(path, kind)
    except csvfiles.CSVError as e:
        raise BaselineError(str(e))
    if not rows:
        raise BaselineError("%s has no rows" % path)
    required = [c for c in kind if c not in kind.optional]
    for number, row in enumerate(rows, start=1):
        empty = [c for c in required if row[c] is None]
        if empty:
            raise BaselineError("%s: row %d lacks %s" % (path, number, ", ".join(empty)))
        for column in kind:
            value = row[column]
            if kind.types[column] is not str and value is not None and not (
                    value > 0 or (column not in positive and value == 0)):
                raise BaselineError("%s: row %d: %s must be > 0%s" % (path, number, column,
                                                                     "" if column in positive else " or 0"))
        if row["workload"] not in CATALOG.names():
            raise BaselineError("%s: row %d: unknown workload %r" % (path, number, row["workload"]))
    return meta, rows


def write(path, title, meta, kind, rows):
    """Write rows (dicts of schema kind) under a title line and the meta lines."""
    csvfiles.write_all(path, kind, rows, preamble=[title] + ["%s: %s" % kv for kv in meta.items()])
