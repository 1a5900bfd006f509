"""The workload drivers (build/workloads/) and the sizes the harness runs them at.

Profiles: "full" (the default matrix, ~1.5-4.5 s per run with glibc, less with the faster peers),
"quick" (smoke tests and CI gates, ~0.1-0.5 s per run), "tiny" (runs under valgrind, ~0.05 s native;
larson is timed, 0.2 s).
"""
import os

from .allocators import REPO

BIN_DIR = os.path.join(REPO, "build", "workloads")
NAMES = ["random_mixed", "tiny_hot", "mid_large_mt", "larson"]
THREADED = {"mid_large_mt", "larson"}  # the ones that take a thread count

# workload -> profile -> flags (without --threads, which the harness adds for THREADED ones)
PARAMS = {
    "random_mixed": {
        "full": ["--iterations=60000000", "--ws=8192"],
        "quick": ["--iterations=2000000", "--ws=8192"],
        "tiny": ["--iterations=200000", "--ws=8192", "--warmup=10000"],
    },
    "tiny_hot": {
        "full": ["--min=8", "--max=128", "--batch=100", "--cycles=500000"],
        "quick": ["--min=8", "--max=128", "--batch=100", "--cycles=20000"],
        "tiny": ["--min=8", "--max=128", "--batch=100", "--cycles=2000", "--warmup=100"],
    },
    "mid_large_mt": {
        "full": ["--cycles=30000000", "--ws=256"],
        "quick": ["--cycles=200000", "--ws=256"],
        "tiny": ["--cycles=20000", "--ws=256"],
    },
    "larson": {
        "full": ["--seconds=4", "--warmup=0.25", "--min=16", "--max=1024", "--chunks=1000", "--rounds=10000"],
        "quick": ["--seconds=0.3", "--warmup=0.1", "--min=16", "--max=1024", "--chunks=1000", "--rounds=10000"],
        "tiny": ["--seconds=0.2", "--warmup=0.01", "--min=16", "--max=1024", "--chunks=1000", "--rounds=10000"],
    },
}
# The tiny profile feeds per-op counts (whole-process count / timed ops): its warm-ups are kept short
# so that the untimed part adds little to the numerator.
PROFILES = ("full", "quick", "tiny")


def binary(workload):
    return os.path.join(BIN_DIR, workload)


def command(workload, threads=1, profile="full", seed=42):
    """argv of one run of workload at a profile's size."""
    if workload not in PARAMS:
        raise ValueError("unknown workload %r (known: %s)" % (workload, ", ".join(NAMES)))
    if profile not in PROFILES:
        raise ValueError("unknown profile %r (known: %s)" % (profile, ", ".join(PROFILES)))
    argv = [binary(workload)] + PARAMS[workload][profile] + ["--seed=%d" % seed]
    if workload in THREADED:
        argv.append("--threads=%d" % threads)
    elif threads != 1:
        raise ValueError("%s is single-threaded" % workload)
    return argv


def params_string(workload, threads=1, profile="full", seed=42):
    """The parameters of a run as one CSV cell: the flags joined by spaces, without the binary."""
    return " ".join(command(workload, threads, profile, seed)[1:])
