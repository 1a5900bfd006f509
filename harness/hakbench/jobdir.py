"""A job directory: the matrix of run_all.sh split into shards for a cluster, and where the shards write.

    DIR/job.json          job id, the run_all.sh options every shard runs, the shards (name, own options)
    DIR/slurm.sbatch      the Slurm job array, one task per shard     (written by hakbench/cli/emit_jobs.py)
    DIR/parallel.sh       the same shards through GNU parallel         (written by hakbench/cli/emit_jobs.py)
    DIR/results/<run-id>/ each shard's ordinary run directory, run-id = <job id>-<shard name>
    DIR/plots/<run-id>/   its figures
    DIR/status/<shard>.json   host, start, end and exit status of the shard's run_all.sh
    DIR/logs/             the shards' terminal output

A shard is one whole measurement (every allocator, workload, thread count and rep of the matrix) on one
machine: the reps of a cell are never spread over machines, which would confound machine with allocator.
"""
import json
import os

JOB_FILE = "job.json"


class Shard:
    def __init__(self, name, args):
        self.name, self.args = name, list(args)  # args: run_all.sh options of this shard only


class Job:
    def __init__(self, job_dir, job_id, common_args, shards, vary=None):
        self.dir = os.path.realpath(job_dir)
        self.id, self.common_args, self.shards, self.vary = job_id, list(common_args), list(shards), vary

    def run_id(self, shard):
        return "%s-%s" % (self.id, shard.name)

    def run_dir(self, shard):
        return os.path.join(self.dir, "results", self.run_id(shard))

    def plots_dir(self):
        return os.path.join(self.dir, "plots")

    def status_path(self, shard):
        return os.path.join(self.dir, "status", shard.name + ".json")

    def shard(self, which):
        """The shard named which, or the which-th (1-based, as Slurm's array task ids)."""
        for s in self.shards:
            if s.name == which:
                return s
        if which.isdigit() and 1 <= int(which) <= len(self.shards):
            return self.shards[int(which) - 1]
        raise KeyError("no shard %r in %s (shards: %s)" % (which, self.dir, ", ".join(s.name for s in self.shards)))

    def write(self):
        for sub in ("results", "plots", "status", "logs"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        with open(os.path.join(self.dir, JOB_FILE), "w") as f:
            json.dump({"job_id": self.id, "run_all_args": self.common_args, "vary": self.vary,
                       "shards": [{"name": s.name, "args": s.args} for s in self.shards]}, f, indent=2)
            f.write("\n")


def is_job_dir(path):
    return os.path.isfile(os.path.join(path, JOB_FILE))


def read(job_dir):
    """The Job of a directory written by Job.write(); ValueError when job.json is unreadable."""
    try:
        with open(os.path.join(job_dir, JOB_FILE)) as f:
            raw = json.load(f)
        return Job(job_dir, raw["job_id"], raw["run_all_args"],
                   [Shard(s["name"], s["args"]) for s in raw["shards"]], raw.get("vary"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError("%s: not a readable job description (%s)" % (os.path.join(job_dir, JOB_FILE), e)) from None


def read_status(job, shard):
    """The status dict a shard's runner wrote ({} if it never started)."""
    try:
        with open(job.status_path(shard)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def write_status(job, shard, status):
    path = job.status_path(shard)
    os.makedirs(os.path.dirname(path), exist_ok=True)  # a host without a shared filesystem has job.json only
    with open(path + ".tmp", "w") as f:
        json.dump(status, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)
