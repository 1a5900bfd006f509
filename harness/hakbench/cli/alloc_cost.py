"""Allocator cost per call, quickly: each workload (tiny profile) once under callgrind per allocator, then a
table of the instructions and simulated D1/LL data misses spent inside malloc and inside free per call,
and the driver's own instructions per op (see harness/hakbench/alloc_cost.py). Deterministic for
tiny_hot, random_mixed and mid_large_mt at one thread: a change of one instruction per call shows.

  harness/alloc_cost.py --workloads tiny_hot --allocators hakmem
  harness/alloc_cost.py --allocators mimalloc --allocator new=/path/to/libhakmem.so
  harness/alloc_cost.py --workloads tiny_hot --allocators hakmem --keep /tmp/cg   # then, for where it goes:
  callgrind_annotate --inclusive=yes /tmp/cg/callgrind.tiny_hot.1.hakmem.out

Exit status: 0 every cell measured, 1 a run failed or could not be attributed (named), 2 bad usage."""
import argparse
import os
import sys
import tempfile

from hakbench import alloc_cost, allocators, callgrind, counters, matrix, proc, schema, workloads
from hakbench.cli.run_matrix import _key_value, _list, _positive, _threads, _workloads

DEFAULT_WORKLOADS = ["tiny_hot", "random_mixed", "mid_large_mt"]   # larson is time-bound: not deterministic


def parser():
    p = argparse.ArgumentParser(prog="harness/alloc_cost.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", type=_workloads, default=DEFAULT_WORKLOADS, metavar="LIST",
                   help="comma-separated workloads (default: %s)" % ",".join(DEFAULT_WORKLOADS))
    p.add_argument("--allocators", type=_list, default=list(allocators.DEFAULT_ORDER), metavar="LIST",
                   help="comma-separated allocators (default: %s)" % ",".join(allocators.DEFAULT_ORDER))
    p.add_argument("--allocator", type=_key_value, action="append", default=[], metavar="NAME=/path/lib.so",
                   help="add an allocator preloaded from a shared library (repeatable)")
    p.add_argument("--threads", type=_threads, default=[1], metavar="LIST",
                   help="thread counts of the multithreaded workloads (default: 1)")
    p.add_argument("--env", type=_key_value, action="append", default=[], metavar="KEY=VALUE",
                   help="environment for the runs; HAKMEM_* keys go to hakmem only (repeatable)")
    p.add_argument("--timeout", type=_positive(float), default=600.0, metavar="SECONDS",
                   help="kill a callgrind run after this long (default: 600)")
    p.add_argument("--keep", metavar="DIR", help="keep the callgrind output files in DIR, as "
                   "callgrind.<workload>.<threads>.<allocator>.out (for callgrind_annotate or kcachegrind)")
    return p


def measure(workload, threads, alloc, env, timeout, out_file):
    """(summary-like row, None) or (None, why the cell has no figures)."""
    cmd = workloads.command(workload, threads, "tiny", matrix.SEED)
    outcome = proc.run_measured(callgrind.command(cmd, out_file), env=env, timeout=timeout)
    if outcome.status != schema.STATUS_OK:
        tail = outcome.stderr.strip().splitlines()[-1:]
        return None, outcome.status + (": " + tail[0] if tail else "")
    with open(out_file) as f:
        text = f.read()
    try:
        cost = alloc_cost.measure_text(text, cmd, alloc.path)
    except ValueError as e:
        return None, str(e)
    perf_rows = [{"event": event, "per_op": per_op, "source": alloc_cost.SOURCE} for event, _, per_op in cost.rows()]
    row = dict(workload=workload, threads=threads, allocator=alloc.name)
    row.update(alloc_cost.summary_columns(perf_rows))
    return row, None


def main(argv):
    p = parser()
    args = p.parse_args(argv[1:])
    try:
        resolved = allocators.resolve(args.allocators, dict(args.allocator), install=False)
    except ValueError as e:
        p.error(str(e))
    if not counters.valgrind_available():
        print("alloc_cost: valgrind is not installed (harness/deps.sh installs it)", file=sys.stderr)
        return 1
    for a in resolved:
        if not a.available:
            print("alloc_cost: skipping %s: %s" % (a.name, a.reason), file=sys.stderr)
    hakmem_env = {k: v for k, v in args.env if k.startswith("HAKMEM_")}
    base_env = dict(os.environ, **{k: v for k, v in args.env if not k.startswith("HAKMEM_")})

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    rows, failures = [], []
    with tempfile.NamedTemporaryFile(prefix="callgrind.", suffix=".out") as scratch:
        for workload, threads in matrix.cells(args.workloads, args.threads):
            for alloc in (a for a in resolved if a.available):
                out_file = os.path.join(args.keep, "callgrind.%s.%d.%s.out" % (workload, threads, alloc.name)) \
                    if args.keep else scratch.name
                row, why = measure(workload, threads, alloc, alloc.env(base_env, hakmem_env), args.timeout, out_file)
                if row:
                    rows.append(row)
                else:
                    failures.append("%s threads=%d %s: %s" % (workload, threads, alloc.name, why))
                    print("alloc_cost: %s" % failures[-1], file=sys.stderr)
    print(alloc_cost.format_table(rows), end="")
    return 1 if failures or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
