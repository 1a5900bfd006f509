"""Runs of the same matrix on several machines (the shards of a job, or any run directories), read back
for one merged report: which runs can be used and why not, a check that they measured the same thing,
and HAKMEM's ratio to every peer on every machine."""
import os

from . import jobdir, stats, summary
from .run_data import RunData

HAKMEM = "hakmem"


class MergeError(Exception):
    """The runs cannot be merged (e.g. different parameters); str() says why."""


class Member:
    """One shard or run directory. data is None when it cannot be used; problem then says why."""

    def __init__(self, name, run_dir, status=None):
        self.name, self.run_dir, self.status = name, run_dir, status or {}
        self.data, self.problem, self.label = None, None, name

    @property
    def host(self):
        machine = (self.data.meta.get("machine") or {}) if self.data else {}
        return machine.get("host") or self.status.get("host") or "unknown host"


def _shard_problem(status, run_dir):
    """Why a shard of a job is not usable, from its status file, or None."""
    if not status:
        return "never started (no status file)" + ("" if os.path.isdir(run_dir) else ", no results")
    where = "on %s, started %s" % (status.get("host", "an unknown host"), status.get("start", "?"))
    if status.get("end") is None:
        return "did not finish (%s, no end recorded: still running, or killed)" % where
    if status.get("exit_code") != 0:
        return "failed (run_all.sh exited %s %s)" % (status.get("exit_code"), where)
    return None


def _run_problem(data):
    """Why a run directory is not a complete run, or None."""
    if data.meta == {}:
        return "no readable meta.json"
    if data.meta.get("end_time") is None:
        return "not finished (meta.json has no end time)"
    if data.meta.get("interrupted"):
        return "interrupted"
    if data.summary is None:
        return "no summary.csv"
    return None


def _load(member, problem=None):
    if problem is None and not os.path.isdir(member.run_dir):
        problem = "missing (no directory %s)" % member.run_dir
    if problem is None:
        data = RunData(member.run_dir)
        problem = _run_problem(data)
        if problem is None:
            member.data = data
    member.problem = problem
    return member


def load(paths):
    """Members of every path (a job directory gives one per shard, in job order) and the environment
    keys that a job's sweep varies on purpose."""
    members, vary = [], set()
    for path in paths:
        if jobdir.is_job_dir(path):
            job = jobdir.read(path)
            if job.vary:
                vary.add(job.vary)
            for shard in job.shards:
                status = jobdir.read_status(job, shard)
                member = Member(shard.name, job.run_dir(shard), status)
                members.append(_load(member, _shard_problem(status, member.run_dir)))
        else:
            members.append(_load(Member(os.path.basename(os.path.realpath(path)), path)))
    _label(members, vary)
    return members, vary


def _label(members, vary):
    """Figure and table labels: the host; KEY=value first for a sweep; the shard name when hosts repeat."""
    for m in members:
        env = (m.data.meta.get("hakmem_env") or {}) if m.data else {}
        swept = ["%s=%s" % (k, env.get(k, "(unset)")) for k in sorted(vary)]
        m.label = ", ".join(swept + [m.host])
    labels = [m.label for m in members]
    for m in members:
        if labels.count(m.label) > 1:
            m.label = "%s [%s]" % (m.label, m.name)


def parameters(data, vary=()):
    """What must be equal for two runs to be compared: everything the user chose, not the machine."""
    meta = data.meta
    settings = meta.get("settings") or {}
    env = {k: v for k, v in (meta.get("hakmem_env") or {}).items() if k not in vary}
    other = {k: v for k, v in (meta.get("other_env_from_flags") or {}).items() if k not in vary}
    return {
        "profile": meta.get("profile"),
        "reps": settings.get("reps"),
        "target CI (more reps until narrower)": settings.get("target_ci"),
        "max reps": settings.get("max_reps"),
        "workloads": settings.get("workloads"),
        "threads": settings.get("threads"),
        "seed": settings.get("seed"),
        "timeout_s": settings.get("timeout_s"),
        "pin": settings.get("pin"),
        "allocators asked for": sorted(meta.get("allocators") or {}),
        "HAKMEM_* environment": env,
        "other environment": other,
        "environment that differs on purpose (a sweep)": sorted(vary),
        "git commit": meta.get("git_sha"),
        "workload parameters": sorted({"%s threads=%s: %s" % (r["workload"], r["threads"], r["params"])
                                       for r in data.runs or []}),
    }


def check_same_parameters(members, vary=()):
    """Raise MergeError naming every parameter on which the usable members differ."""
    used = [m for m in members if m.data]
    params = {m.label: parameters(m.data, vary) for m in used}
    differences = []
    for key in (next(iter(params.values())) if params else {}):
        by_value = {}
        for label, p in params.items():
            by_value.setdefault(repr(p[key]), []).append(label)
        if len(by_value) > 1:
            differences.append("  %s: %s" % (key, "; ".join("%s in %s" % (value, ", ".join(labels))
                                                               for value, labels in by_value.items())))
    if differences:
        raise MergeError("the runs were measured with different parameters, so they cannot be merged:\n"
                         + "\n".join(differences))
    return next(iter(params.values())) if params else {}


def median(data, workload, allocator, threads):
    row = data.summary_cell(workload, allocator, threads)
    return row["median_ops_per_sec"] if row else None


class Ratio:
    """HAKMEM against a peer in one cell of one member: the paired ratio (median of the per-rep ratios) with its
    95% interval and verdict where the run has them (ratios.csv), else the ratio of the two medians
    (kind "medians", no interval). value None when either allocator has no ok run."""

    def __init__(self, member, workload, threads, peer):
        self.member, self.workload, self.threads, self.peer = member, workload, threads, peer
        self.hakmem = median(member.data, workload, HAKMEM, threads)
        self.other = median(member.data, workload, peer, threads)
        key = (workload, threads, HAKMEM, peer)
        paired = next((r for r in member.data.ratios or []
                       if (r["workload"], r["threads"], r["allocator"], r["versus"]) == key), None)
        if paired:
            self.kind, self.value, self.low, self.high = "paired", paired["ratio"], paired["ci_low"], paired["ci_high"]
            self.verdict = paired["verdict"]
        else:
            self.kind, self.low, self.high, self.verdict = "medians", None, None, None
            self.value = self.hakmem / self.other if self.hakmem is not None and self.other else None


def ratios(members):
    """Ratio objects of every usable member that ran hakmem, for every workload, thread count and peer."""
    out = []
    for m in members:
        if not m.data or HAKMEM not in m.data.allocators():
            continue
        for workload in m.data.workloads():
            for threads in m.data.threads_of(workload):
                out += [Ratio(m, workload, threads, peer) for peer in m.data.allocators() if peer != HAKMEM]
    return out


class PooledRatio:
    """HAKMEM against a peer in one cell over every member that measured both in at least 2 common reps:
    stats.Pooled of the members' per-rep paired ratios (each member a random effect), with the members in
    measuring order. Only members of one matrix are merged, so their cells are the same workload."""

    def __init__(self, workload, threads, peer, members, pooled):
        self.workload, self.threads, self.peer = workload, threads, peer
        self.members, self.pooled = members, pooled


def _per_rep_ratios(member, workload, threads, peer):
    """The per-rep ratios hakmem / peer of one member's cell, or None with fewer than 2 common ok reps."""
    cell = summary.cells(member.data.runs or []).get((workload, threads), {})
    comparison = summary.paired_comparisons({a: cell[a] for a in (HAKMEM, peer) if a in cell}).get((HAKMEM, peer))
    return comparison.ratios if comparison else None


def pooled_ratios(members):
    """PooledRatio of every cell and peer that at least 2 usable members measured with paired reps, in the
    order of ratios()."""
    out, seen = [], set()
    for r in ratios(members):
        key = (r.workload, r.threads, r.peer)
        if key in seen:
            continue
        seen.add(key)
        used, runs = [], []
        for m in members:
            per_rep = _per_rep_ratios(m, *key) if m.data else None
            if per_rep:
                used.append(m)
                runs.append(per_rep)
        if len(runs) >= 2:
            out.append(PooledRatio(*key, used, stats.Pooled(runs, margin=stats.TABLE_MARGIN)))
    return out


def pooled_best_peers(pooled):
    """{(workload, threads): the PooledRatio of the peer against which HAKMEM's pooled ratio is lowest}."""
    best = {}
    for p in pooled:
        key = (p.workload, p.threads)
        if key not in best or p.pooled.ratio < best[key].pooled.ratio:
            best[key] = p
    return best
