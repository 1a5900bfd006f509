"""Measured runs for the compare tools (compare/ab, gate, gate_icount, large_churn), on top of the harness core.

A Side is an allocator plus environment overrides. interleave() runs several sides in rounds, one run of
each side per round, in the order of stats.run_order (AB, BA, BA, AB ... for two sides) so that neither side
always runs first and slow drift of the machine hits all sides alike. What runs is a job (hakbench.jobs):
a workload driver, or a program of the harness (the built-in suite).
"""
import atexit
import os

from .. import allocators, jobs, meta, schema, stats

RUN_TIMEOUT_S = 120
SEED = 42
CATALOG = jobs.Catalog()  # every workload by name; program inputs go to a temporary directory
atexit.register(CATALOG.close)


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


def job(workload, threads, profile, timeout=RUN_TIMEOUT_S):
    """The job of a workload at a profile; for a program, its glibc reference run (which its runs' output
    is checked against) is made here, once. ValueError when a program cannot run."""
    found = CATALOG.job(workload, threads, profile, SEED)
    if CATALOG.is_program(workload):
        why = found.program.missing() or found.reference(os.environ, timeout)
        if why:
            raise ValueError("program %s: %s" % (workload, why))
    return found


def threads_of(workload, requested=None):
    """The thread count a workload runs at: requested (default 2) for a threaded driver, else its own."""
    return CATALOG.threads(workload, [requested or 2])[0]


def run_once(side, job, extra_env=None, timeout=RUN_TIMEOUT_S, wrap=None):
    """One run of job as side: (ops_per_sec, Outcome); ops_per_sec is None if the run failed
    or counted no ops. wrap(argv, env) -> (argv, env) puts a tool around the run."""
    outcome = job.run(side.env(extra_env), wrap=wrap, timeout=timeout)
    if outcome.status != schema.STATUS_OK or not float(outcome.result["ops_per_sec"]) > 0:
        return None, outcome
    return float(outcome.result["ops_per_sec"]), outcome


def interleave(sides, job, rounds, progress=None, timeout=RUN_TIMEOUT_S, first_round=0):
    """Run job for every side, `rounds` times, in the order of stats.run_order (round numbers count from
    first_round, so that callers running one round at a time still follow the design).
    Returns ({label: [ops/s or None per round]}, [Failure]). progress(round_no, {label: ops/s}) after each round."""
    samples = {side.label: [] for side in sides}
    failures = []
    for round_no in range(first_round, first_round + rounds):
        this_round = {}
        for side in stats.run_order(sides, round_no):
            ops, outcome = run_once(side, job, timeout=timeout)
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
    """A comma-separated list of workloads (drivers, programs) and suites (micro, programs, all), expanded;
    ValueError naming an unknown one."""
    names = CATALOG.expand([w for w in text.split(",") if w])
    if not names:
        raise ValueError("no workload given")
    return names
