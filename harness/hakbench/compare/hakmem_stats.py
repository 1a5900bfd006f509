"""The counters libhakmem prints at exit with HAKMEM_STATS=json: one stderr line starting {"hakmem_stats":.

Parsed generically, so a changed field list still works: every number in the object becomes one flat
counter ("totals.mallocs", "slabs_formatted"), and every list of objects (the per-class rows) is summed field by
field ("classes[].warm_hits"). Each X_hits/X_misses pair also gets a hit rate "X_hit_rate".
"""
import json

PREFIX = '{"hakmem_stats":'


def find_line(stderr):
    """The first stats line of a run's stderr, or None. The first, because the harness runs the benchmark
    under GNU time, which inherits LD_PRELOAD and prints its own (tiny) stats when it exits, after the child."""
    for line in stderr.splitlines():
        if line.startswith(PREFIX):
            return line
    return None


def _numbers(value, prefix, out):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        out[prefix] = out.get(prefix, 0) + value
    elif isinstance(value, dict):
        for key, item in value.items():
            _numbers(item, "%s.%s" % (prefix, key) if prefix else key, out)
    elif isinstance(value, list):
        for item in value:  # per-class rows: summed under the list's name
            if isinstance(item, dict):
                for key, field in item.items():
                    if key not in ("class", "size"):  # identifiers, not counters
                        _numbers(field, "%s[].%s" % (prefix, key), out)


def flatten(obj):
    """Flat {name: number} of a parsed stats object, with hit rates added."""
    counters = {}
    _numbers({k: v for k, v in obj.items() if k != "hakmem_stats"}, "", counters)
    for name in list(counters):
        if name.endswith("_hits"):
            stem = name[:-len("_hits")]
            misses = counters.get(stem + "_misses")
            if misses is not None and counters[name] + misses > 0:
                counters[stem + "_hit_rate"] = counters[name] / (counters[name] + misses)
    return counters


def parse(stderr):
    """Flat counters of the stats line in stderr; None when there is none; ValueError on broken JSON."""
    line = find_line(stderr)
    if line is None:
        return None
    try:
        return flatten(json.loads(line))
    except json.JSONDecodeError as e:
        raise ValueError("unreadable hakmem stats line: %s" % e)


def shown(counters):
    """The names worth displaying: a per-class sum "x[].f" is left out when the object also has its own
    figure f (e.g. "totals.f"), which says the same."""
    plain = {name.rsplit(".", 1)[-1] for name in counters if "[]" not in name}
    return [name for name in sorted(counters) if "[]" not in name or name.rsplit(".", 1)[-1] not in plain]
