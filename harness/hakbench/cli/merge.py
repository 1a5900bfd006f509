"""Merge runs of the same matrix on several machines into one report.

usage: harness/merge.py [--out DIR] [--vary KEY] RUN_OR_JOB_DIR...

Each argument is a run directory (results/<run-id>/) or a job directory written by
`run_all.sh --emit-jobs` (all its shards). Writes DIR/report.md (per machine the usual tables, and per
workload a table and a figure of HAKMEM's ratio to each peer on each machine), DIR/summary.csv (every
machine's summary rows), DIR/ratios.csv and the figures cross_machine_<workload>.{png,svg}.

With two or more runs (of one machine or several), HAKMEM against each peer is also pooled over the runs, each
run a random effect (hakbench.stats.Pooled): the ratio, an interval that resamples runs and reps, and a verdict
that holds against the variation between runs, which one run's interval cannot see. The best-peer table is
printed and heads report.md; every peer is in DIR/pooled.csv, and the last group of each figure. Not for a
sweep (--vary, or a job made with --sweep): its runs differ on purpose.
DIR defaults to JOB_DIR/merged for one job directory, else results/merged-<UTC time>.

A shard or run that is missing, failed or did not finish is named in the report and left out of the
tables and figures. Runs measured with different parameters (profile, reps, workloads, threads,
allocators, environment, git commit, workload sizes) are refused, naming each difference; --vary KEY
lets the environment variable KEY differ (a sweep; a job made with --sweep does this by itself).
Exit status: 0 merged, 1 nothing to merge or different parameters, 2 bad usage."""
import argparse
import os
import sys

from hakbench import jobdir, merge, merge_report, meta
from hakbench.allocators import REPO


def main(argv=None):
    p = argparse.ArgumentParser(prog="merge.py", description="Merge runs of several machines into one report.")
    p.add_argument("dirs", nargs="+", metavar="RUN_OR_JOB_DIR")
    p.add_argument("--out", metavar="DIR", help="where the merged report goes")
    p.add_argument("--vary", action="append", default=[], metavar="KEY",
                   help="an environment variable allowed to differ between the runs (repeatable)")
    args = p.parse_args(argv)
    jobs = [d for d in args.dirs if jobdir.is_job_dir(d)]
    out = args.out or (os.path.join(jobs[0], "merged") if args.dirs == jobs and len(jobs) == 1
                       else os.path.join(REPO, "results", "merged-" + meta.utc_now().strftime("%Y%m%dT%H%M%SZ")))
    try:
        members, vary = merge.load(args.dirs)
        vary |= set(args.vary)
        params = merge.check_same_parameters(members, vary)
    except (ValueError, merge.MergeError) as e:
        print("merge.py: %s" % e, file=sys.stderr)
        return 1
    for m in members:
        if not m.data:
            print("merge.py: left out %s: %s" % (m.name, m.problem), file=sys.stderr)
    if not any(m.data for m in members):
        print("merge.py: no complete run to merge", file=sys.stderr)
        return 1
    title = "HAKMEM on %d machines: %s" % (sum(1 for m in members if m.data), ", ".join(
        m.label for m in members if m.data))
    pooled = [] if vary else merge.pooled_ratios(members)  # a sweep's runs differ on purpose: not one population
    figures, skipped = merge_report.write(members, params, merge.ratios(members), pooled, out, title)
    best = merge.pooled_best_peers(pooled)
    if best:
        print("HAKMEM against its best peer, pooled over the runs (95% CI resampling runs and reps):")
        for p in best.values():
            print("  %-14s threads=%-2d %-9s %d runs  %.3f [%.3f, %.3f]  p=%.3g  %s  (per run: %s)" % (
                p.workload, p.threads, p.peer, len(p.members), p.pooled.ratio, p.pooled.ci[0], p.pooled.ci[1],
                p.pooled.p_value, p.pooled.verdict, ", ".join("%.3f" % v for v in p.pooled.run_medians)))
    for name, why in skipped:
        print("skipped figure %s: %s" % (name, why))
    print("%d figures, report: %s" % (len(figures), os.path.join(out, "report.md")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
