#!/usr/bin/python3
"""Checks the HAKMEM_STATS=json output of stats_probe: stderr (the file
given) holds exactly one line starting with {"hakmem_stats":, it parses as
JSON, has the fields of the stats contract, and its counters account for at
least what stats_probe did. Prints what is wrong and exits 1, or exits 0."""
import json
import sys

CLASS_FIELDS = ("mallocs", "frees", "cache_hits", "cache_misses", "refills",
                "warm_hits", "warm_misses", "remote_frees", "borrows")
TOP_FIELDS = ("classes", "slabs_formatted", "slabs_released", "superslabs_mapped",
              "superslabs_released", "peak_bytes_mapped")
# stats_probe: 1000 x 48 B and 100 x 64 B (freed by another thread) in Tiny.
MIN_TINY_MALLOCS = 1100
MIN_REMOTE_FREES = 100


def problems(text):
    lines = [l for l in text.splitlines() if l.startswith('{"hakmem_stats":')]
    if len(lines) != 1:
        return [f"{len(lines)} lines start with {{\"hakmem_stats\": (want exactly 1)"]
    try:
        stats = json.loads(lines[0])
    except json.JSONDecodeError as e:
        return [f"not valid JSON: {e}"]
    errs = [f"missing field {f}" for f in TOP_FIELDS if f not in stats]
    classes = stats.get("classes")
    if not isinstance(classes, list) or not classes:
        return errs + ["classes is not a non-empty list"]
    for c in classes:
        errs += [f"class {c.get('class')}: field {f} missing or not an integer"
                 for f in CLASS_FIELDS if not isinstance(c.get(f), int)]
    if errs:
        return errs
    mallocs = sum(c["mallocs"] for c in classes)
    frees = sum(c["frees"] for c in classes)
    remote = sum(c["remote_frees"] for c in classes)
    if mallocs < MIN_TINY_MALLOCS or frees < MIN_TINY_MALLOCS:
        errs.append(f"classes count {mallocs} mallocs / {frees} frees, "
                    f"stats_probe made at least {MIN_TINY_MALLOCS} of each")
    if remote < MIN_REMOTE_FREES:
        errs.append(f"{remote} remote frees counted, stats_probe made {MIN_REMOTE_FREES}")
    if not stats["peak_bytes_mapped"] > 0 or not stats["superslabs_mapped"] > 0:
        errs.append("peak_bytes_mapped / superslabs_mapped not positive")
    return errs


def main():
    if len(sys.argv) != 2:
        print("usage: check_stats_json.py STDERR-FILE", file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        errs = problems(f.read())
    for e in errs:
        print(e)
    sys.exit(1 if errs else 0)


main()
