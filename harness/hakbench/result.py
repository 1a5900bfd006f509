"""The drivers print one line: RESULT key=value key=value ... (values without spaces)."""

REQUIRED = ("workload", "threads", "ops", "seconds", "ops_per_sec")


def parse_result_line(line):
    """Parse one RESULT line into a dict of strings; raise ValueError if malformed."""
    words = line.split()
    if not words or words[0] != "RESULT":
        raise ValueError("not a RESULT line: %r" % line)
    fields = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise ValueError("malformed field %r in %r" % (word, line))
        fields[key] = value
    missing = [k for k in REQUIRED if k not in fields]
    if missing:
        raise ValueError("RESULT line lacks %s: %r" % (", ".join(missing), line))
    for key in ("ops", "seconds", "ops_per_sec"):
        float(fields[key])  # raises ValueError on junk
    return fields


def find_result(stdout):
    """The last RESULT line of a driver's stdout, parsed; None if there is none."""
    found = None
    for line in stdout.splitlines():
        if line.startswith("RESULT"):
            found = parse_result_line(line)
    return found
