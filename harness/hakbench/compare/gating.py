"""What compare/gate and compare/gate_icount share: which baseline rows to check, what a new baseline
records about its measurement, and the closing verdict with its exit status."""
import sys

from .. import meta as run_meta
from . import baseline, measure

EXIT_PASS, EXIT_REGRESSED, EXIT_USAGE = 0, 1, 2


def rows_to_check(tool, path, kind, positive, wanted, candidate, profile):
    """(meta, rows) of the baseline (schema kind) for the workloads wanted (None: all of them), in that order, after a note
    when the baseline measured another candidate. (None, None) after saying why when the baseline is missing
    or malformed or lacks a wanted workload."""
    try:
        meta, rows = baseline.read(path, kind, positive)
    except baseline.BaselineError as e:
        print("%s: %s" % (tool, e), file=sys.stderr)
        return None, None
    by_workload = {row["workload"]: row for row in rows}
    wanted = wanted or [row["workload"] for row in rows]
    absent = [w for w in wanted if w not in by_workload]
    if absent:
        print("%s: %s has no row for %s" % (tool, path, ", ".join(absent)), file=sys.stderr)
        return None, None
    other = [row["workload"] for row in rows if row["profile"] != profile]
    if other:
        print("%s: %s: rows of %s are not of the %s profile this gate measures"
              % (tool, path, ", ".join(other), profile), file=sys.stderr)
        return None, None
    for row in rows:
        if row.get("params") and row["params"] != measure.CATALOG.job(row["workload"], row["threads"], profile,
                                                                      measure.SEED).params:
            print("%s: note: %s: the %s profile's parameters changed since the baseline (%s)"
                  % (tool, row["workload"], profile, row["params"]))
    recorded = meta.get("candidate", "").split(" ")[0]
    if recorded != candidate.name:
        print("%s: note: the baseline measured %s, this run measures %s" % (tool, recorded or "?", candidate.name))
    return meta, [by_workload[w] for w in wanted]


def new_meta(tool, candidate, extra):
    """Meta lines of a new baseline: the machine, extra facts, the candidate and the run id."""
    meta = dict(run_meta.machine_description(), **extra)
    meta["candidate"] = "%s (%s)" % (candidate.name, candidate.path or "no preload")
    meta["candidate_version"] = run_meta.version_of(candidate)
    meta["measured"] = measure.run_id(tool)
    return meta


def differences(recorded, current):
    """Lines 'key: baseline X, here Y' for every key of current (meta.machine_description(), meta.toolchain())
    whose value the baseline's meta lines record differently."""
    return ["%s: baseline %s, here %s" % (key, recorded.get(key, "(not recorded)"), value)
            for key, value in current.items() if recorded.get(key) != value]


def conclude(tool, candidate, failures, regressions):
    """Print the failed runs and regressions; the exit status."""
    for failure in failures:
        print("%s: FAIL: run failed: %s" % (tool, failure))
    for regression in regressions:
        print("%s: FAIL: %s regressed: %s" % (tool, candidate.name, regression))
    if failures or regressions:
        return EXIT_REGRESSED
    print("%s: PASS" % tool)
    return EXIT_PASS
