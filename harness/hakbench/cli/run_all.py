"""What ./run_all.sh runs once it has installed what is missing and built: the matrix (hakbench.cli.run_matrix),
then the figures and report.md (hakbench.cli.report), or with --emit-jobs a job of shards for a cluster instead
(hakbench.cli.emit_jobs). Its parser is run_all.sh's one list of options: the matrix's, --plots and the
cluster's; `./run_all.sh --help` prints it.

  python3 -m hakbench.cli.run_all --check OPTIONS   exit 0 when OPTIONS are good, 2 (with the usage) when not
  python3 -m hakbench.cli.run_all OPTIONS           measure (or write the job); exit status as run_matrix.py's
"""
import importlib.util
import os
import sys
import time
import traceback

from hakbench import meta
from hakbench.allocators import REPO
from hakbench.cli import emit_jobs, run_matrix

DESCRIPTION = """\
Builds (make), checks dependencies (installs them with apt-get when root on Debian), runs the
benchmark matrix and writes results/<run-id>/{runs,syscalls,perf,summary}.csv, meta.json,
report.md and the figures in plots/<run-id>/. results/latest points at the newest run.
LIST = comma-separated; every option is also accepted as --option=value."""


def parser():
    p = run_matrix.parser(prog="run_all.sh", description=DESCRIPTION)
    p.add_argument("--plots", default=os.path.join(REPO, "plots"), metavar="DIR",
                   help="where the figures' <run-id>/ goes (default: plots/)")
    emit_jobs.add_arguments(p)
    return p


def main(argv):
    """argv: run_all.sh's arguments, after --check when only checking them."""
    check_only = argv[:1] == ["--check"]
    if check_only:
        argv = argv[1:]
    p = parser()
    args = p.parse_args(argv)
    emit_jobs.check(p, args)
    if check_only:
        run_matrix.check(p, args)
        return 0
    if args.emit_jobs:
        run_matrix.check(p, args)  # the matrix every shard measures
        return emit_jobs.write(argv)

    start = time.time()
    args.run_id = args.run_id or meta.new_run_id()
    status = run_matrix.run(p, args, [os.path.join(REPO, "run_all.sh")] + argv)
    out = os.path.abspath(args.out)
    run_dir, plots_dir = os.path.join(out, args.run_id), os.path.join(os.path.abspath(args.plots), args.run_id)
    if status != 0:
        if os.path.isdir(run_dir):
            say("what was measured is in %s" % run_dir)
        return status
    if figures_and_report(run_dir, plots_dir) != 0:
        status = 1

    print()
    print("run %s done in %d s" % (args.run_id, time.time() - start))
    print("  results:  %s/ (%s)" % (run_dir, " ".join(sorted(os.listdir(run_dir)))))
    if os.path.isdir(plots_dir):
        print("  figures:  %s/ (%d files)" % (plots_dir, len(os.listdir(plots_dir))))
    if os.path.isfile(os.path.join(run_dir, "report.md")):
        print("  report:   %s" % os.path.join(run_dir, "report.md"))
    print("  latest:   %s -> %s" % (os.path.join(out, "latest"), os.readlink(os.path.join(out, "latest"))))
    return status


def figures_and_report(run_dir, plots_dir):
    """The figures and report.md of the run, when matplotlib is there; the exit status."""
    if importlib.util.find_spec("matplotlib") is None:
        say("matplotlib is missing (Debian package python3-matplotlib): no figures or report")
        return 0
    from hakbench.cli import report  # draws with matplotlib
    try:
        return report.main([run_dir, "--plots-dir", plots_dir])
    except Exception:  # the measurements are on disk: say what failed and keep them
        traceback.print_exc()
        say("the report failed")
        return 1


def say(text):
    print("run_all: %s" % text, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
