"""Appending CSV rows so that each is on disk before the next measurement starts, and reading them back."""
import csv
import os


class AppendWriter:
    """Appends rows (dicts) to a CSV file with the given columns.

    The header is written once, when the file is new or empty; a file whose header differs is refused,
    so rows of two layouts never mix. Every row is flushed and fsync'ed as soon as it is written:
    a Ctrl-C, a crash of the harness or of the machine loses nothing already measured."""

    def __init__(self, path, columns):
        self.path, self.columns = path, list(columns)
        existing = read_header(path)
        if existing is not None and existing != self.columns:
            raise ValueError("%s has columns %s, expected %s" % (path, existing, self.columns))
        self._file = open(path, "a", newline="")
        self._csv = csv.DictWriter(self._file, fieldnames=self.columns)
        if existing is None:
            self._csv.writeheader()
            self._sync()

    def write(self, row):
        """Append one row; keys missing from row are written empty, unknown keys are an error."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError("%s: no column for %s" % (self.path, ", ".join(sorted(unknown))))
        self._csv.writerow({k: _cell(row.get(k)) for k in self.columns})
        self._sync()

    def _sync(self):
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _cell(value):
    """None -> empty cell; whole floats as integers, others with 10 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else "%.10g" % value
    return value


def read_header(path):
    """The header of a CSV file, or None when it does not exist or is empty."""
    try:
        with open(path, newline="") as f:
            return next(csv.reader(f), None)
    except FileNotFoundError:
        return None


def read_rows(path):
    """All rows of a CSV file as dicts of strings; [] when the file does not exist."""
    try:
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


def write_all(path, columns, rows):
    """Replace path with a header and rows, atomically (a reader never sees half a file)."""
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(columns))
        out.writeheader()
        for row in rows:
            out.writerow({k: _cell(row.get(k)) for k in columns})
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
