"""Run the benchmark matrix (allocators x workloads x threads x reps) and write results/<run-id>/.

Outputs: runs.csv (one row per timed run), syscalls.csv (strace -f -c), perf.csv (perf stat,
cachegrind's simulated branch misses where the machine cannot count them, callgrind's allocator cost
per malloc and per free), summary.csv, meta.json,
failures.log (stderr of failed runs, if any). results/latest points at the newest run.
Exit status: 0 when the matrix ran (failed runs are data, recorded with their status), 1 on a
harness error, 2 on a bad flag, 130 when interrupted (what was measured is kept)."""
import argparse
import os
import signal
import sys

from hakbench import alloc_cost, allocators, jobs, matrix, meta, program_summary, programs, summary, workloads

DEFAULT_REPS = 5
QUICK_REPS = 3
DEFAULT_THREADS = [1, 2]
AUTO_TARGET_CI = 10.0  # --reps auto: percent
DEFAULT_MAX_REPS = 20


def _list(text):
    """Comma-separated names, each once, in the order given."""
    return list(dict.fromkeys(w for w in text.split(",") if w))


def _workloads(text):
    """A list of driver names (harness/alloc_cost.py measures the drivers only)."""
    names = _list(text)
    unknown = [w for w in names if w not in workloads.NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError("unknown workload(s) %s (known: %s)" % (
            ",".join(unknown) or "(none given)", ",".join(workloads.NAMES)))
    return names


def _threads(text):
    try:
        counts = [int(w) for w in _list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError("thread counts must be integers, e.g. 1,2,4") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("thread counts must be >= 1")
    return counts


def _key_value(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError("expected KEY=VALUE, got %r" % text)
    return key, value


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not a number: %r" % text) from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be > 0: %r" % text)
        return value
    return parse


def _cpus(text):
    """A CPU list like 0,2-3 -> {0, 2, 3}."""
    cpus = set()
    try:
        for part in _list(text):
            lo, _, hi = part.partition("-")
            cpus.update(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError("expected a CPU list such as 0 or 0-1 or 0,2") from None
    if not cpus:
        raise argparse.ArgumentTypeError("empty CPU list")
    return cpus


DESCRIPTION = ("Benchmark allocators on the workload drivers; write results/<run-id>/ "
               "(runs.csv, syscalls.csv, perf.csv, summary.csv, meta.json).")


def parser(prog="run_matrix.py", description=DESCRIPTION, epilog=None):
    """The matrix's options; run_all.sh's parser (hakbench.cli.run_all) is this one with its own added."""
    p = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog, allow_abbrev=False,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--allocators", type=_list, default=list(allocators.DEFAULT_ORDER), metavar="LIST",
                   help="comma-separated allocators (default: %s)" % ",".join(allocators.DEFAULT_ORDER))
    p.add_argument("--allocator", type=_key_value, action="append", default=[], metavar="NAME=/path/lib.so",
                   help="add an allocator preloaded from a shared library (repeatable)")
    p.add_argument("--workloads", type=_list, default=[jobs.MICRO], metavar="LIST",
                   help="comma-separated workloads or suites: micro (the default: %s), programs (the built-in "
                        "program suite), all (both), and --program names" % ",".join(workloads.NAMES))
    p.add_argument("--program", type=_key_value, action="append", default=[], metavar="NAME='command ...'",
                   help="add a program workload NAME running that command (repeatable); select it with "
                        "--workloads NAME")
    p.add_argument("--program-work", type=_key_value, action="append", default=[], metavar="NAME=REGEX",
                   help="the program's work units: the first group of REGEX's last match in its stdout "
                        "(default: none, throughput = 1 / wall time)")
    p.add_argument("--program-check", type=_key_value, action="append", default=[], metavar="NAME=CHECK",
                   help="reference (default: stdout as on glibc), exit (exit status 0 only) or sha256:HEX (of stdout)")
    p.add_argument("--threads", type=_threads, default=DEFAULT_THREADS, metavar="LIST",
                   help="thread counts for the multithreaded workloads (default: 1,2); "
                        "the single-threaded ones run at 1")
    p.add_argument("--reps", type=lambda t: t if t == "auto" else _positive(int)(t), metavar="N|auto",
                   help="repetitions of every cell (default: %d, with --quick %d); auto: that many, then more "
                        "until --target-ci (default %g%%%%) is met" % (DEFAULT_REPS, QUICK_REPS, AUTO_TARGET_CI))
    p.add_argument("--target-ci", type=_positive(float), metavar="PCT",
                   help="after --reps reps, add interleaved reps until the 95%% CI of every hakmem-vs-best-peer "
                        "ratio is narrower than PCT%% of the ratio, up to --max-reps")
    p.add_argument("--max-reps", type=_positive(int), metavar="N",
                   help="with --target-ci or --reps auto: at most this many reps (default %d)" % DEFAULT_MAX_REPS)
    p.add_argument("--quick", action="store_true",
                   help="small workload sizes and %d reps: the whole pipeline in a few minutes" % QUICK_REPS)
    p.add_argument("--profile", choices=workloads.PROFILES,
                   help="workload sizes (default: full, with --quick quick)")
    p.add_argument("--env", type=_key_value, action="append", default=[], metavar="KEY=VALUE",
                   help="environment for the runs (repeatable); HAKMEM_* keys go to hakmem runs only; "
                        "all are recorded in meta.json")
    p.add_argument("--out", default=os.path.join(allocators.REPO, "results"), metavar="DIR",
                   help="where <run-id>/ and the latest link go (default: results/)")
    p.add_argument("--run-id", metavar="ID", help="name of the run directory (default: UTC time + git sha)")
    p.add_argument("--no-strace", action="store_true", help="skip the strace runs (no syscalls.csv rows)")
    p.add_argument("--no-perf", action="store_true",
                   help="skip the perf stat, cachegrind and callgrind runs (no perf.csv rows)")
    p.add_argument("--pin", nargs="?", const="auto", type=lambda t: t if t == "auto" else _cpus(t),
                   metavar="CPUS", help="pin every run to CPUs: given (e.g. 0-1), or the first T usable CPUs "
                                        "for a run with T threads")
    p.add_argument("--timeout", type=_positive(float), default=120.0, metavar="SECONDS",
                   help="kill a run after this long and record it as timeout (default: 120; "
                        "cachegrind and callgrind runs get %dx)" % matrix.CACHEGRIND_TIMEOUT_FACTOR)
    return p


def user_programs(args):
    """The Program objects of the --program flags; ValueError on a malformed one or an option of no program."""
    names = [name for name, _ in args.program]
    if len(set(names)) != len(names):
        raise ValueError("--program: a name given twice")
    for flag, pairs in (("--program-work", args.program_work), ("--program-check", args.program_check)):
        stray = [name for name, _ in pairs if name not in names]
        if stray:
            raise ValueError("%s %s: no --program of that name" % (flag, stray[0]))
    work, check = dict(args.program_work), dict(args.program_check)
    return [programs.user_program(name, command, work.get(name), check.get(name, programs.CHECK_REFERENCE))
            for name, command in args.program]


def check(p, args):
    """What the parser alone cannot check (a bad option exits 2 with the usage); expands args.workloads.
    Returns (target CI or None, first reps, max reps, the workload catalog). Installs nothing."""
    target = args.target_ci or (AUTO_TARGET_CI if args.reps == "auto" else None)
    reps = (args.reps if args.reps != "auto" else None) or (QUICK_REPS if args.quick else DEFAULT_REPS)
    max_reps = args.max_reps or max(DEFAULT_MAX_REPS, reps)
    if args.max_reps and target is None:
        p.error("--max-reps goes with --target-ci or --reps auto")
    if max_reps < reps:
        p.error("--max-reps %d is below the %d reps measured first" % (max_reps, reps))
    try:
        catalog = jobs.Catalog(user_programs(args))
        args.workloads = catalog.expand(args.workloads)
    except ValueError as e:
        p.error(str(e))
    if not args.workloads:
        p.error("no workload given")
    try:
        allocators.resolve(args.allocators, dict(args.allocator), install=False)
    except ValueError as e:
        p.error(str(e))
    return target, reps, max_reps, catalog


def main(argv):
    p = parser()
    return run(p, p.parse_args(argv[1:]), argv)


def run(p, args, argv):
    """Check args (parsed by p), measure the matrix, print the tables; the exit status. argv: the command line
    recorded in meta.json."""
    target, reps, max_reps, catalog = check(p, args)
    resolved = allocators.resolve(args.allocators, dict(args.allocator), log=lambda m: print(m, file=sys.stderr))
    available = [a for a in resolved if a.available]
    skipped = [a for a in resolved if not a.available]
    for a in skipped:
        print("skipping allocator %s: %s" % (a.name, a.reason), file=sys.stderr)
    if not available:
        print("run_matrix.py: no allocator available", file=sys.stderr)
        return 1
    missing = [workloads.binary(w) for w in args.workloads
               if not catalog.is_program(w) and not os.access(workloads.binary(w), os.X_OK)]
    if missing:
        print("run_matrix.py: workload drivers not built (run make): %s" % " ".join(missing), file=sys.stderr)
        return 1

    profile = args.profile or ("quick" if args.quick else "full")
    hakmem_env = {k: v for k, v in args.env if k.startswith("HAKMEM_")}
    other_env = {k: v for k, v in args.env if not k.startswith("HAKMEM_")}
    cfg = matrix.Config(available, args.workloads, args.threads, reps, profile, os.path.abspath(args.out),
                        args.run_id or meta.new_run_id(), strace=not args.no_strace, perf=not args.no_perf,
                        pin=args.pin, timeout=args.timeout, hakmem_env=hakmem_env, other_env=other_env,
                        argv=list(argv), skipped=skipped, catalog=catalog,
                        target_ci=target / 100 if target else None, max_reps=max_reps)

    def terminate(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, terminate)

    m = matrix.Matrix(cfg)
    print("run %s: %d allocators (%s) x %d cells x %d reps, profile %s -> %s" % (
        cfg.run_id, len(available), ",".join(a.name for a in available), len(m.cells), reps, profile,
        cfg.run_dir), file=sys.stderr)
    try:
        rows = m.run()
    except FileExistsError as e:
        print("run_matrix.py: %s" % e, file=sys.stderr)
        return 1
    print(summary.format_table([r for r in rows if not catalog.is_program(r["workload"])]))
    print(program_summary.format_table(m.program_rows, m.programs(), [a.name for a in available]))
    costs = alloc_cost.format_table(rows)
    if costs:
        print(costs)
    print("results: %s" % cfg.run_dir)
    return 130 if m.interrupted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
