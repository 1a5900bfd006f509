"""Baseline files of the gates: a CSV whose leading '# key: value' lines say what it was measured on.

    # compare/gate baseline: ...
    # cpu: AMD EPYC
    workload,threads,profile,ratio,...
    random_mixed,1,quick,1.234,...
"""
import csv
import io
import os

from measure import CATALOG


class BaselineError(Exception):
    """A missing or malformed baseline (the gates exit 2 on it)."""


def read(path, columns, positive, optional=()):
    """(meta dict, rows) of a baseline. Every row must have all columns (among them workload and threads, a
    count); the columns named in positive
    must hold numbers > 0 (returned as floats); optional columns, when present and filled, numbers >= 0
    (floats, None when absent or empty). Raises BaselineError."""
    if not os.path.exists(path):
        raise BaselineError("no baseline at %s (measure one with --update-baseline)" % path)
    meta, body = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                key, sep, value = line[1:].partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
            elif line.strip():
                body.append(line)
    reader = csv.DictReader(io.StringIO("".join(body)))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise BaselineError("%s: header lacks %s" % (path, ", ".join(missing)))
    rows = list(reader)
    if not rows:
        raise BaselineError("%s has no rows" % path)
    for number, row in enumerate(rows, start=2):
        if None in row or any(row[c] in (None, "") for c in columns):
            raise BaselineError("%s: row %d has missing or extra cells" % (path, number))
        for column in list(positive) + [c for c in optional if row.get(c)]:
            try:
                row[column] = float(row[column])
            except ValueError:
                raise BaselineError("%s: row %d: %s=%r is not a number" % (path, number, column, row[column]))
            if not (row[column] > 0 or (column in optional and row[column] == 0)):
                raise BaselineError("%s: row %d: %s must be > 0" % (path, number, column))
        for column in optional:
            row[column] = row.get(column) or None
        if row["workload"] not in CATALOG.names():
            raise BaselineError("%s: row %d: unknown workload %r" % (path, number, row["workload"]))
        if row["threads"].isdigit():
            row["threads"] = int(row["threads"])
        else:
            raise BaselineError("%s: row %d: threads=%r is not a count" % (path, number, row["threads"]))
    return meta, rows


def write(path, title, meta, columns, rows):
    """Write rows (dicts) under a title line and the meta lines."""
    with open(path, "w") as f:
        f.write("# %s\n" % title)
        for key, value in meta.items():
            f.write("# %s: %s\n" % (key, value))
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row[c] for c in columns})
