"""A job of shards for a cluster: `run_all.sh --emit-jobs DIR [--shards=N | --sweep=KEY=V1,V2,...] [matrix options]`
(see hakbench/jobdir.py). The cluster's options of run_all.sh's parser (hakbench.cli.run_all) are defined here.

Writes DIR/job.json, DIR/slurm.sbatch (a job array, one exclusive node per shard) and DIR/parallel.sh
(the same shards over ssh with GNU parallel, one job slot per host) and prints how to run and merge them.
A bad option exits 2 before anything is written (or built); DIR already holding a job, 1."""
import argparse
import os
import re
import shlex
import sys

from hakbench import jobdir, meta
from hakbench.cli import run_matrix
from hakbench.allocators import REPO

PY = "/usr/bin/python3"
RUN_SHARD = os.path.join(REPO, "harness", "run_shard.py")
SHARD_NAME = re.compile(r"^[A-Za-z0-9._+-]+$")


def _sweep(text):
    key, sep, values = text.partition("=")
    values = [v for v in values.split(",") if v]
    if not sep or not key or not values:
        raise argparse.ArgumentTypeError("expected KEY=V1,V2,..., got %r" % text)
    bad = [v for v in values if not SHARD_NAME.match(v)]
    if bad:
        raise argparse.ArgumentTypeError("sweep values name the shards: use letters, digits and ._+- (got %s)"
                                         % ", ".join(bad))
    return key, list(dict.fromkeys(values))


def shards_of(args):
    if args.sweep:
        key, values = args.sweep
        return [jobdir.Shard("%s-%s" % (key, v), ["--env=%s=%s" % (key, v)]) for v in values], key
    return [jobdir.Shard("m%d" % (i + 1), []) for i in range(args.shards or 1)], None


def slurm_script(job):
    q = shlex.quote
    return """#!/bin/bash
# HAKMEM job {id}: a Slurm job array, one task per shard, each shard the whole matrix on a node of its own
# (--exclusive: never two measurements sharing a machine). Every node runs the build of the shared
# checkout {repo} (made once by run_all.sh --emit-jobs; a no-op when up to date).
#   submit:  sbatch [-p PARTITION] [--time=HH:MM:SS] {script}
#   merge:   {repo}/harness/merge.py {dir}        (when the array is done; names missing or failed shards)
#SBATCH --job-name=hakmem-{id}
#SBATCH --array=1-{n}
#SBATCH --exclusive
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --output={logs}/slurm-%A_%a.out
exec {py} {run_shard} {qdir} "$SLURM_ARRAY_TASK_ID"
""".format(id=job.id, repo=REPO, script=os.path.join(job.dir, "slurm.sbatch"), dir=job.dir, n=len(job.shards),
           logs=os.path.join(job.dir, "logs"), py=PY, run_shard=q(RUN_SHARD), qdir=q(job.dir))


def parallel_script(job):
    q = shlex.quote
    returns = " ".join("--return %s" % q(p) for p in (
        os.path.join(job.dir, "results", job.id + "-{}"), os.path.join(job.dir, "plots", job.id + "-{}"),
        os.path.join(job.dir, "status", "{}.json")))
    return """#!/usr/bin/env bash
# HAKMEM job {id} through GNU parallel: one job slot per host (-j1), so a machine never runs two shards at
# once. Every host needs this checkout at the same path ({repo}); job.json goes there with --basefile and
# each shard's results, figures and status come back with --return (both no-ops for ':', this machine).
#   usage:   {script} HOST1,HOST2,...      (':' = this machine; user@host and ssh options as parallel takes them)
#   merge:   {repo}/harness/merge.py {dir}
set -euo pipefail
[ $# -eq 1 ] || {{ echo "usage: $0 HOST1,HOST2,... (':' = this machine)" >&2; exit 2; }}
exec parallel --sshlogin "$1" -j1 --workdir {repo} --basefile {job_json} {returns} \\
  --joblog {joblog} --tag --line-buffer \\
  {py} {run_shard} {qdir} {{}} ::: {names}
""".format(id=job.id, repo=q(REPO), script=os.path.join(job.dir, "parallel.sh"), dir=job.dir,
           job_json=q(os.path.join(job.dir, jobdir.JOB_FILE)), returns=returns,
           joblog=q(os.path.join(job.dir, "logs", "parallel.joblog")), py=PY, run_shard=q(RUN_SHARD),
           qdir=q(job.dir), names=" ".join(q(s.name) for s in job.shards))


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def add_arguments(p):
    """The cluster's options, in a group of parser p (run_all.sh's, or split()'s)."""
    group = p.add_argument_group("on a cluster", "builds, then writes a job of shards, each a whole matrix of the "
                                 "options above,\ninstead of measuring (see the README, \"Running on a cluster\")")
    group.add_argument("--emit-jobs", metavar="DIR", help="write the job into DIR: job.json, slurm.sbatch, parallel.sh")
    how = group.add_mutually_exclusive_group()
    how.add_argument("--shards", type=run_matrix._positive(int), metavar="N",
                     help="N shards with the same matrix, one per machine (default: 1)")
    how.add_argument("--sweep", type=_sweep, metavar="KEY=V1,V2,...",
                     help="one shard per value of an --env KEY (e.g. HAKMEM_TINY_REFILL=16,64)")


def check(p, args):
    """What the cluster's options rule out (p.error: exit 2 with the usage, nothing written)."""
    if not args.emit_jobs:
        if args.shards or args.sweep:
            p.error("--shards and --sweep go with --emit-jobs")
        return
    for flag, dest in (("--out", "out"), ("--run-id", "run_id"), ("--plots", "plots")):
        if getattr(args, dest) != p.get_default(dest):
            p.error("%s is set by each shard (into DIR/results and DIR/plots)" % flag)
    if args.sweep and any(key == args.sweep[0] for key, _ in args.env):
        p.error("--env %s is set by --sweep" % args.sweep[0])


def split(argv):
    """(the cluster's options, the other options of argv: the matrix every shard measures). A library path
    of --allocator NAME=PATH is made absolute: the shards run from other directories."""
    p = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    add_arguments(p)
    args, matrix = p.parse_known_args(argv)
    absolute, given = [], iter(matrix)
    for arg in given:
        flag, sep, value = arg.partition("=")
        if flag == "--allocator":
            name, _, path = (value if sep else next(given, "")).partition("=")
            arg = "--allocator=%s=%s" % (name, os.path.abspath(path))
        absolute.append(arg)
    return args, absolute


def write(argv):
    """Write the job of run_all.sh's options argv (checked already); the exit status."""
    args, matrix = split(argv)
    if os.path.exists(os.path.join(args.emit_jobs, jobdir.JOB_FILE)):
        print("emit_jobs: %s already holds a job; choose another directory" % args.emit_jobs, file=sys.stderr)
        return 1
    shards, vary = shards_of(args)
    job = jobdir.Job(args.emit_jobs, meta.new_run_id(), matrix, shards, vary)
    job.write()
    _write(os.path.join(job.dir, "slurm.sbatch"), slurm_script(job))
    _write(os.path.join(job.dir, "parallel.sh"), parallel_script(job))
    print("job %s: %d shard%s (%s) in %s" % (job.id, len(shards), "" if len(shards) == 1 else "s",
                                          ", ".join(s.name for s in shards), job.dir))
    print("  Slurm:         sbatch %s" % os.path.join(job.dir, "slurm.sbatch"))
    print("  GNU parallel:  %s HOST1,HOST2,..." % os.path.join(job.dir, "parallel.sh"))
    print("  then merge:    %s %s" % (os.path.join(REPO, "harness", "merge.py"), job.dir))
    return 0
