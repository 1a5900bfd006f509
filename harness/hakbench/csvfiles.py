"""Writing and reading the CSV files of schema.py, typed: every cell is formatted and parsed through its column's
declared type. AppendWriter puts each row on disk before the next measurement starts."""
import csv
import os


class CSVError(ValueError):
    """A CSV file that does not match its schema; str() names the file, the line and the column."""


class AppendWriter:
    """Appends rows (dicts) to a CSV file of a schema.

    The header is written once, when the file is new or empty; a file whose header differs is refused,
    so rows of two layouts never mix. Every row is flushed and fsync'ed as soon as it is written:
    a Ctrl-C, a crash of the harness or of the machine loses nothing already measured."""

    def __init__(self, path, schema):
        self.path, self.schema = path, schema
        existing = read_header(path)
        if existing is not None and existing != list(schema):
            raise ValueError("%s has columns %s, expected %s" % (path, existing, list(schema)))
        self._file = open(path, "a", newline="")
        self._csv = csv.writer(self._file, lineterminator=schema.newline)
        if existing is None:
            self._csv.writerow(schema)
            self._sync()

    def write(self, row):
        """Append one row; keys missing from row are written empty, unknown keys are an error."""
        self._csv.writerow(format_row(self.path, self.schema, row))
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


def format_cell(schema, column, value):
    """The text of one cell. None -> empty. A number column takes a number (bool is not one) or the text of
    one (e.g. a driver's RESULT field, written as it is after checking that it parses); numbers are written
    with the column's format, else whole ones as integers and others with 10 significant digits."""
    kind = schema.types[column]
    if value is None:
        return ""
    if kind is str:
        return str(value)
    if isinstance(value, str):
        parse_cell(kind, value)   # ValueError on junk
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("%r is not a number" % (value,))
    if kind is int and not float(value).is_integer():
        raise ValueError("%r is not a whole number" % (value,))
    fmt = schema.formats.get(column)
    if fmt is not None:
        return fmt(value) if callable(fmt) else fmt % value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "%.10g" % value if isinstance(value, float) else str(value)


def format_row(path, schema, row):
    """The cells of row (a dict) in the schema's order; ValueError naming path and column on a bad value."""
    unknown = set(row) - set(schema)
    if unknown:
        raise ValueError("%s: no column for %s" % (path, ", ".join(sorted(unknown))))
    cells = []
    for column in schema:
        try:
            cells.append(format_cell(schema, column, row.get(column)))
        except ValueError as e:
            raise ValueError("%s: column %s: %s" % (path, column, e))
    return cells


def parse_cell(kind, text):
    """The value of one cell's text: None when empty; ValueError when a number column holds something else
    (a word such as "NA" or "unsupported" included: such a figure is written as an empty cell)."""
    if text is None or text.strip() == "":
        return None
    if kind is str:
        return text
    try:
        return int(text) if kind is int else float(text)
    except ValueError:
        if kind is not int or not float(text).is_integer():
            raise
        return int(float(text))   # "1500.0": a whole number written as a float


def read_header(path):
    """The header of a CSV file, or None when it does not exist or is empty."""
    try:
        with open(path, newline="") as f:
            return next(csv.reader(f), None)
    except FileNotFoundError:
        return None


def read(path, schema, bad_row=None):
    """The rows of a CSV file of schema: dicts {column: value} with every column of the schema, each value of
    its column's type or None (empty cell; an optional column the file lacks). Columns the schema does not
    declare are left out. Raises FileNotFoundError, or CSVError naming the file, line and column: a header
    without a required column, a row with more or fewer cells than the header, a cell that is not of its
    column's type. With bad_row(CSVError), a bad row is reported to it and skipped instead."""
    return read_with_meta(path, schema, bad_row)[1]


def read_with_meta(path, schema, bad_row=None):
    """(meta, rows) of a CSV file whose leading lines may be '# key: value' (a baseline's); meta holds those
    (a '# title' line without a colon is left out). Rows and errors as read()."""
    meta, first = {}, 1
    with open(path, newline="") as f:
        text = f.read().splitlines(keepends=True)
    while first <= len(text) and text[first - 1].startswith("#"):
        key, sep, value = text[first - 1][1:].partition(":")
        if sep:
            meta[key.strip()] = value.strip()
        first += 1
    lines = text[first - 1:]
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise CSVError("%s: no header line" % path)
    absent = [c for c in schema if c not in header and c not in schema.optional]
    if absent:
        raise CSVError("%s: the header lacks column%s %s" % (path, "s" if len(absent) > 1 else "",
                                                             ", ".join(absent)))
    where = {c: header.index(c) for c in schema if c in header}
    rows = []
    for cells in reader:
        line = first + reader.line_num - 1
        if not cells:
            continue   # a blank line
        try:
            rows.append(_typed(path, line, schema, header, where, cells))
        except CSVError as e:
            if bad_row is None:
                raise
            bad_row(e)
    return meta, rows


def _typed(path, line, schema, header, where, cells):
    if len(cells) != len(header):
        raise CSVError("%s line %d: %d cells, the header has %d" % (path, line, len(cells), len(header)))
    row = {}
    for column, kind in schema.types.items():
        text = cells[where[column]] if column in where else None
        try:
            row[column] = parse_cell(kind, text)
        except ValueError:
            raise CSVError("%s line %d, column %s: %r is not %s" % (
                path, line, column, text, "a whole number" if kind is int else "a number"))
    return row


def write_all(path, schema, rows, preamble=()):
    """Replace path with the preamble lines (each written after '# '), a header and rows, atomically (a reader
    never sees half a file)."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", newline="") as f:
            for line in preamble:
                f.write("# %s\n" % line)
            out = csv.writer(f, lineterminator=schema.newline)
            out.writerow(schema)
            for row in rows:
                out.writerow(format_row(path, schema, row))
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    os.replace(tmp, path)
