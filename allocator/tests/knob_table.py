#!/usr/bin/python3
"""The knob table of allocator/README.md against what HAKMEM_HELP=1 prints (src/options.c is the source).

knob_table.py LIB.so           exit 0 if the README's table is the one HAKMEM_HELP=1 prints, else 1 with a diff
knob_table.py LIB.so --write   rewrite the README's table from HAKMEM_HELP=1
"""
import argparse
import difflib
import os
import subprocess
import sys

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
HEADER = ["| knob | default | range | meaning |", "| --- | --- | --- | --- |"]


def table_from_help(lib):
    """The Markdown rows of the knobs HAKMEM_HELP=1 prints: `hakmem:   NAME DEFAULT RANGE HELP`."""
    env = dict(os.environ, HAKMEM_HELP="1", LD_PRELOAD=lib)
    err = subprocess.run(["/bin/true"], env=env, stderr=subprocess.PIPE, text=True, timeout=30, check=True).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("hakmem:   "):
            name, default, limits, meaning = line.split(None, 4)[1:]
            rows.append("| `%s` | %s | %s | %s |" % (name, default, limits.replace("|", ", "), meaning))
    if not rows:
        raise SystemExit("knob_table.py: HAKMEM_HELP=1 printed no knob under LD_PRELOAD=%s:\n%s" % (lib, err))
    return rows


def find_table(lines):
    """(start, end) of the knob table's rows in the README's lines."""
    for i in range(len(lines) - 1):
        if lines[i:i + 2] == HEADER:
            end = i + 2
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            return i + 2, end
    raise SystemExit("knob_table.py: no table headed %r in %s" % (HEADER[0], README))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("lib", help="libhakmem.so")
    p.add_argument("--write", action="store_true", help="rewrite the README's table")
    args = p.parse_args(argv)
    with open(README) as f:
        lines = f.read().split("\n")
    start, end = find_table(lines)
    want = table_from_help(args.lib)
    if args.write:
        lines[start:end] = want
        with open(README, "w") as f:
            f.write("\n".join(lines))
        return 0
    if lines[start:end] == want:
        return 0
    print("allocator/README.md's knob table differs from HAKMEM_HELP=1 (allocator/tests/knob_table.py "
          "build/libhakmem.so --write regenerates it):")
    print("\n".join(difflib.unified_diff(lines[start:end], want, "README.md", "HAKMEM_HELP=1", lineterm="", n=0)))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
