"""Running one command and measuring it: rusage of that child alone, a timeout, and a status."""
import dataclasses
import os
import signal
import subprocess
import tempfile
import threading
import time

from . import schema
from .result import find_result


@dataclasses.dataclass(eq=False)
class Outcome:
    """What one run produced. result is the parsed RESULT line (dict) or None."""
    status: str
    exit_code: int
    stdout: str
    stderr: str
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_kb: int
    minor_faults: int
    major_faults: int
    result: dict
    during: object = None  # what run_measured's during() returned


def classify(exit_code, timed_out, stderr, result):
    """Status of a finished run (see schema.STATUS_*). exit_code < 0 means killed by -exit_code."""
    if timed_out:
        return schema.STATUS_TIMEOUT
    if "corruption:" in stderr or exit_code == 3:
        return schema.STATUS_CORRUPTION
    if exit_code < 0:
        try:
            return "%s:%s" % (schema.STATUS_CRASH, signal.Signals(-exit_code).name)
        except ValueError:
            return "%s:signal%d" % (schema.STATUS_CRASH, -exit_code)
    if exit_code != 0:
        return schema.STATUS_ERROR
    return schema.STATUS_OK if result is not None else schema.STATUS_NO_RESULT


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _pin(cpus):
    def pin():
        os.sched_setaffinity(0, cpus)
    return pin


# Peak RSS comes from GNU time, not from our own wait4: a child forked from this Python process
# inherits Python's RSS high-water mark across exec, which would put a ~12 MB floor under every
# figure. GNU time is small, so the peak it reports is the benchmark's own.
TIME = "/usr/bin/time"


def _peak_rss_kb(path):
    """The %M figure GNU time wrote as the last line of path, or None if it wrote none."""
    try:
        with open(path) as f:
            lines = f.read().split()
        return int(lines[-1])
    except (OSError, ValueError, IndexError):
        return None


def exited(pid):
    """Whether our child pid has exited, without reaping it (its rusage is still to be collected)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def run_measured(cmd, env=None, timeout=None, cpus=None, cwd=None, during=None):
    """Run cmd (a list) to completion and return an Outcome.

    The child runs in its own session so a timeout kills it and everything it started.
    CPU times and faults come from wait4 (the wrapper's own share is a few dozen faults).
    cpus: optional set of CPU numbers to pin the child to. during(pid): called once the child started (pid
    is the child's, see exited()), e.g. a client driving a server; its result is Outcome.during."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rss_file:
        start = time.monotonic()
        wrapped = [TIME, "-o", rss_file.name, "-f", "%M"] + list(cmd)
        child = subprocess.Popen(wrapped, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True, preexec_fn=_pin(cpus) if cpus else None)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            _kill_group(child.pid)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        during_result = None
        try:
            if during:
                during_result = during(child.pid)
            _, wait_status, usage = os.wait4(child.pid, 0)
        except BaseException:
            # Ctrl-C reaches only our process group: the child, in its own session, would outlive us.
            _kill_group(child.pid)
            child.wait()
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.monotonic() - start
        exit_code = os.waitstatus_to_exitcode(wait_status)
        child.returncode = exit_code  # keep Popen from waiting again
        if exit_code > 128 and "signal" in open(rss_file.name).read():
            exit_code = -(exit_code - 128)  # GNU time exits 128+N when its child died of signal N
        max_rss_kb = _peak_rss_kb(rss_file.name)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    try:
        result = find_result(stdout)
    except ValueError:
        result = None
    status = classify(exit_code, timed_out.is_set(), stderr, result)
    return Outcome(status, exit_code, stdout, stderr, wall, usage.ru_utime, usage.ru_stime,
                   max_rss_kb, usage.ru_minflt, usage.ru_majflt, result, during_result)


def query(argv, timeout=60):
    """The stripped stdout of a quick query command (a version, a sha, a package, ldconfig's cache); "" if it
    cannot run. The one such probe of the harness and the compare tools."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""
