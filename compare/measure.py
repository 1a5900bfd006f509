"""Measured runs for the compare tools, on top of the harness core (harness/hakbench).

A Side is an allocator plus environment overrides. interleave() runs several sides in rounds, one run of
each side per round, rotating the order every round (AB, BA, AB ... for two sides) so that neither side
always runs first and slow drift of the machine hits all sides alike.
"""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "harness"))

from hakbench import allocators, meta, proc, schema, stats, workloads  # noqa: E402  (path set just above)

RUN_TIMEOUT_S = 120


class Side:
    """label: how reports name the side; overrides: environment variables set on top of the allocator's."""

    def __init__(self, label, alloc, overrides=None):
        self.label, self.alloc, self.overrides = label, alloc, dict(overrides or {})

    def env(self, extra=None):
        env = self.alloc.env(os.environ)
        env.update(self.overrides)
        env.update(extra or {})
        return env

    def describe_env(self):
        return " ".join("%s=%s" % kv for kv in self.overrides.items()) or "(defaults)"


class Failure:
    def __init__(self, side, round_no, outcome):
        self.side, self.round_no = side, round_no
        self.status = outcome.status if outcome.status != schema.STATUS_OK else "no ops counted"
        self.stderr_tail = outcome.stderr.strip().splitlines()[-1:] if outcome.stderr.strip() else []

    def __str__(self):
        why = (": " + self.stderr_tail[0]) if self.stderr_tail else ""
        return "%s run %d: %s%s" % (self.side, self.round_no + 1, self.status, why)


def resolve_one(spec):
    """The Allocator named by spec: a known name (hakmem, system, jemalloc, ...) or NAME=/path/lib.so.
    ValueError when unknown or not available."""
    name, sep, path = spec.partition("=")
    alloc = (allocators.resolve([], {name: path}) if sep else allocators.resolve([spec], install=False))[0]
    if not alloc.available:
        raise ValueError("allocator %s: %s" % (alloc.name, alloc.reason))
    return alloc


def run_once(side, command, extra_env=None, timeout=RUN_TIMEOUT_S):
    """One run of command (argv) as side: (ops_per_sec, Outcome); ops_per_sec is None if the run failed
    or counted no ops."""
    outcome = proc.run_measured(command, env=side.env(extra_env), timeout=timeout)
    if outcome.status != schema.STATUS_OK or not float(outcome.result["ops_per_sec"]) > 0:
        return None, outcome
    return float(outcome.result["ops_per_sec"]), outcome


def interleave(sides, command, rounds, progress=None, timeout=RUN_TIMEOUT_S, first_round=0):
    """Run command for every side, `rounds` times, order rotated each round (round numbers count from
    first_round, so that callers running one round at a time still rotate).
    Returns ({label: [ops/s or None per round]}, [Failure]). progress(round_no, {label: ops/s}) after each round."""
    samples = {side.label: [] for side in sides}
    failures = []
    for round_no in range(first_round, first_round + rounds):
        shift = round_no % len(sides)
        this_round = {}
        for side in sides[shift:] + sides[:shift]:
            ops, outcome = run_once(side, command, timeout=timeout)
            if ops is None:
                failures.append(Failure(side.label, round_no, outcome))
            samples[side.label].append(ops)
            this_round[side.label] = ops
        if progress:
            progress(round_no, this_round)
    return samples, failures


def complete_rounds(samples, labels):
    """{label: [ops/s]} restricted to the rounds in which every one of labels produced a figure."""
    rounds = len(samples[labels[0]])
    keep = [i for i in range(rounds) if all(samples[label][i] is not None for label in labels)]
    return {label: [samples[label][i] for i in keep] for label in labels}


def run_id(prefix):
    """prefix-<UTC timestamp>-<git short sha>: the harness's run id, marked as this tool's."""
    return "%s-%s" % (prefix, meta.new_run_id())


def parse_workloads(text):
    """A comma-separated workload list; ValueError naming an unknown one."""
    names = [w for w in text.split(",") if w]
    unknown = [w for w in names if w not in workloads.NAMES]
    if unknown or not names:
        raise ValueError("unknown workload(s) %s (known: %s)" % (", ".join(unknown) or "(none given)",
                                                                ", ".join(workloads.NAMES)))
    return names
