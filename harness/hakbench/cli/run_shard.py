"""Run one shard of a job (see hakbench/jobdir.py): run_all.sh with the job's options and the shard's,
into JOB_DIR/results/<job id>-<shard>/, and record in JOB_DIR/status/<shard>.json where and when it ran
and how run_all.sh exited (so that harness/merge.py can name a shard that failed or never finished).

usage: run_shard.py JOB_DIR SHARD        SHARD: a name from job.json, or its 1-based index (Slurm array task id)
Exit status: run_all.sh's; 2 on a bad argument."""
import os
import socket
import subprocess
import sys

from hakbench import jobdir, meta
from hakbench.allocators import REPO


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        job = jobdir.read(argv[1])
        shard = job.shard(argv[2])
    except (ValueError, KeyError) as e:
        print("run_shard.py: %s" % e.args[0], file=sys.stderr)
        return 2
    status = {"shard": shard.name, "run_id": job.run_id(shard), "host": socket.gethostname(),
              "start": meta.utc_now().isoformat(timespec="seconds"), "end": None, "exit_code": None}
    jobdir.write_status(job, shard, status)  # a shard killed from now on shows as started, never ended
    argv = ([os.path.join(REPO, "run_all.sh")] + job.common_args + shard.args
            + ["--out=" + os.path.join(job.dir, "results"), "--plots=" + job.plots_dir(),
               "--run-id=" + job.run_id(shard)])
    print("shard %s on %s: %s" % (shard.name, status["host"], " ".join(argv)), flush=True)
    code = subprocess.call(argv)
    status.update(end=meta.utc_now().isoformat(timespec="seconds"), exit_code=code)
    jobdir.write_status(job, shard, status)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
