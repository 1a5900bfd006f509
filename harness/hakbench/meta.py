"""meta.json: what a run was measured on and with (machine, tools, allocator versions, git state, knobs)."""
import datetime
import json
import os
import platform
import socket

from .allocators import REPO
from .proc import query


def tool_version(argv):
    """The first line of a tool's version output (e.g. ["valgrind", "--version"]), or "unknown"."""
    return query(argv).split("\n")[0] or "unknown"


def compiler():
    return tool_version(["gcc", "--version"])


def machine_description():
    """CPU model, cores and kernel: what decides how two allocators' speeds compare (compare/gate's baseline)."""
    return {"cpu": cpu_model(), "cores": str(os.cpu_count()), "kernel": platform.release()}


def toolchain():
    """Compiler, C library and valgrind versions: what decides the instruction count of a run (compare/gate_icount's
    baseline)."""
    return {"gcc": compiler(),
            "glibc": os.confstr("CS_GNU_LIBC_VERSION") or "unknown",
            "valgrind": tool_version(["valgrind", "--version"])}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def commit_sha(rev="HEAD"):
    """The full sha of the commit rev names in this repository; "" when it names none (or outside git)."""
    return query(["git", "-C", REPO, "rev-parse", "--verify", "--quiet", rev + "^{commit}"])


def git_state():
    """(full sha, short sha, dirty) of the repository; ("unknown", "nogit", False) outside git."""
    sha = commit_sha()
    if not sha:
        return "unknown", "nogit", False
    dirty = bool(query(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"]))
    return sha, sha[:7], dirty


def version_of(alloc):
    """A version string for meta.json: the Debian package version, or hakmem's git sha."""
    if alloc.name == "hakmem":
        sha, short, _ = git_state()
        return "git " + (short if sha != "unknown" else "unknown")
    package = alloc.package
    if package is None and alloc.path:
        owner = query(["dpkg-query", "-S", os.path.realpath(alloc.path)])
        package = owner.split(":", 1)[0] if owner else None
    if not package:
        return "unknown"
    return query(["dpkg-query", "-W", "-f=${Version}", package]) or "unknown"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def new_run_id():
    """UTC timestamp + git short sha, e.g. 20260101T120000Z-1a2b3c4."""
    return "%s-%s" % (utc_now().strftime("%Y%m%dT%H%M%SZ"), git_state()[1])


def load_average():
    """The 1, 5 and 15 minute load averages, rounded: how busy the machine was (other jobs skew speeds)."""
    return [round(v, 2) for v in os.getloadavg()]


def collect(run_id, argv, profile, allocators, hakmem_env, other_env, perf_support, settings):
    """The meta.json dict at the start of a run (end_time is filled in by finish()).
    settings: how the matrix was configured (reps, workloads, tools used, ...)."""
    sha, _, dirty = git_state()
    inherited = {k: v for k, v in os.environ.items() if k.startswith("HAKMEM_")}
    return {
        "run_id": run_id,
        "command_line": argv,
        "cwd": os.getcwd(),
        "start_time": utc_now().isoformat(timespec="seconds"),
        "end_time": None,
        "interrupted": None,
        "load_average": {"before": load_average(), "after": None},
        "profile": profile,
        "git_sha": sha,
        "git_dirty": dirty,
        "machine": {
            "host": socket.gethostname(),
            "cpu_model": cpu_model(),
            "cores": os.cpu_count(),
            "cores_usable": len(os.sched_getaffinity(0)),
            "kernel": "%s %s" % (platform.system(), platform.release()),
            "kernel_version": platform.version(),
            "compiler": compiler(),
            "python": platform.python_version(),
        },
        "allocators": {a.name: {"path": a.path, "version": version_of(a) if a.available else None,
                                "available": a.available, "reason": a.reason or None}
                       for a in allocators},
        # HAKMEM_* knobs: those from --env go to the hakmem runs; inherited ones reach every run.
        "hakmem_env": dict(inherited, **hakmem_env),
        "hakmem_env_from_flags": hakmem_env,
        "hakmem_env_inherited": inherited,
        "other_env_from_flags": other_env,
        "perf_counter_support": perf_support,
        "settings": settings,
    }


def write(path, meta):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(meta, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def finish(path, meta, interrupted):
    meta["end_time"] = utc_now().isoformat(timespec="seconds")
    meta["load_average"]["after"] = load_average()
    meta["interrupted"] = interrupted
    write(path, meta)
