"""The measurement matrix: allocators x workloads x thread counts x repetitions, and the untimed
strace, perf and cachegrind runs of each cell. Every figure is appended to its CSV as soon as it exists."""
import dataclasses
import os
import sys
import tempfile
import time

from . import alloc_cost, callgrind, counters, csvfiles, jobs, meta, program_summary, schema, stats, summary, syscalls
from .progress import Progress

SEED = 42
CACHEGRIND_TIMEOUT_FACTOR = 10  # cachegrind and callgrind simulate every instruction


@dataclasses.dataclass(eq=False)
class Config:
    """What to measure. allocators: available Allocator objects in matrix order; pin: None, "auto"
    (a run with T threads gets the first T usable CPUs) or a set of CPU numbers; target_ci: None, or
    reps are added after the first `reps` (up to max_reps) until every hakmem-vs-best-peer interval is
    narrower than this fraction of its ratio."""
    allocators: list
    workload_names: list
    thread_counts: list
    reps: int
    profile: str
    out_dir: str
    run_id: str
    strace: bool = True
    perf: bool = True
    pin: object = None
    timeout: float = 120.0
    hakmem_env: dict = None
    other_env: dict = None
    argv: list = None
    skipped: list = ()  # unavailable Allocator objects, recorded in meta.json
    catalog: jobs.Catalog = None  # the workloads by name, programs among them
    target_ci: float = None
    max_reps: int = None

    def __post_init__(self):
        self.hakmem_env, self.other_env = self.hakmem_env or {}, self.other_env or {}
        self.argv = self.argv or sys.argv
        self.skipped = list(self.skipped)
        self.catalog = self.catalog or jobs.Catalog()

    @property
    def run_dir(self):
        return os.path.join(self.out_dir, self.run_id)


def cells(workload_names, thread_counts, catalog=None):
    """(workload, threads) pairs: single-threaded drivers at 1 thread only, threaded ones at each count,
    programs (of catalog) at their own."""
    catalog = catalog or jobs.Catalog()
    out = []
    for w in workload_names:
        for t in catalog.threads(w, thread_counts):
            if (w, t) not in out:
                out.append((w, t))
    return out


def _fmt_result(outcome, unit):
    if outcome.status != schema.STATUS_OK:
        return outcome.status
    if unit == jobs.UNIT_OP:
        return "ok, %.2f M ops/s" % (float(outcome.result["ops_per_sec"]) / 1e6)
    return "ok, %.2f s, %.4g %ss/s" % (outcome.wall_s, float(outcome.result["ops_per_sec"]), unit)


class Matrix:
    def __init__(self, config, log=None):
        self.cfg = config
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.cells = cells(config.workload_names, config.thread_counts, config.catalog)
        self.programs_skipped = {}  # program -> why it was left out (not installed, reference run failed)
        self.base_env = dict(os.environ, **config.other_env)
        self.do_strace = config.strace and syscalls.available()
        self.perf_support = counters.probe_perf() if config.perf else {}
        self.fallback_branches = config.perf and not self.perf_support.get("branch-misses") \
            and counters.valgrind_available()
        self.do_alloc_cost = config.perf and counters.valgrind_available()
        self.interrupted = False

    # ---- one run of each kind -------------------------------------------------------------

    def _cpus(self, threads):
        if self.cfg.pin == "auto":
            usable = sorted(os.sched_getaffinity(0))
            return set(usable[:max(threads, 1)])
        return self.cfg.pin

    def _env(self, alloc):
        return alloc.env(self.base_env, self.cfg.hakmem_env)

    def _key(self, workload, alloc, threads):
        return {"run_id": self.cfg.run_id, "workload": workload, "allocator": alloc.name, "threads": threads}

    def _failed(self, kind, workload, threads, alloc, cmd, outcome):
        """Keep the end of a failed run's stderr in failures.log (the CSV has only its status)."""
        tail = "\n".join(outcome.stderr.strip().splitlines()[-15:])
        with open(os.path.join(self.cfg.run_dir, "failures.log"), "a") as f:
            f.write("== %s run, %s threads=%s allocator=%s (LD_PRELOAD=%s): %s, exit %s\n$ %s\n%s\n\n" % (
                kind, workload, threads, alloc.name, alloc.path or "", outcome.status, outcome.exit_code,
                " ".join(cmd), tail))

    def _job(self, workload, threads, profile=None):
        return self.cfg.catalog.job(workload, threads, profile or self.cfg.profile, SEED)

    def timed_run(self, workload, threads, alloc, rep):
        job = self._job(workload, threads)
        outcome = job.run(self._env(alloc), timeout=self.cfg.timeout, cpus=self._cpus(threads))
        result = outcome.result or {}
        row = dict(self._key(workload, alloc, threads), params=job.params, rep=rep, work_unit=job.unit,
                   status=outcome.status, exit_code=outcome.exit_code,
                   ops=result.get("ops"), seconds=result.get("seconds"), ops_per_sec=result.get("ops_per_sec"),
                   wall_s=outcome.wall_s, user_s=outcome.user_s, sys_s=outcome.sys_s,
                   max_rss_kb=outcome.max_rss_kb, minor_faults=outcome.minor_faults,
                   major_faults=outcome.major_faults)
        self.runs_csv.write(row)
        if outcome.status != schema.STATUS_OK:
            self._failed("timed", workload, threads, alloc, job.command(), outcome)
        return outcome

    def _tool_run(self, kind, tool_argv, workload, threads, alloc, env, timeout, profile=None):
        """Run the cell's job under tool_argv(argv, file) (a tool writing its counts to file) and return
        (outcome, that file's text)."""
        job = self._job(workload, threads, profile)
        wrapped = []

        def wrap(argv, env):
            wrapped.append(tool_argv(argv, self._out_file))
            return wrapped[0], env
        outcome = job.run(env, wrap=wrap, timeout=timeout, cpus=self._cpus(threads))
        try:
            with open(self._out_file) as f:
                text = f.read()
            os.unlink(self._out_file)
        except FileNotFoundError:
            text = ""
        if outcome.status != schema.STATUS_OK:
            self._failed(kind, workload, threads, alloc, wrapped[0] if wrapped else job.command(), outcome)
        return outcome, text

    def strace_run(self, workload, threads, alloc):
        env = {k: v for k, v in self._env(alloc).items() if k != "LD_PRELOAD"}
        outcome, text = self._tool_run("strace", lambda cmd, f: syscalls.command(cmd, f, alloc.path),
                                       workload, threads, alloc, env, self.cfg.timeout)
        if outcome.status != schema.STATUS_OK:
            return outcome.status + ", no syscall rows"
        try:
            counts = syscalls.parse_table(text)
        except ValueError as e:
            return "unreadable strace output (%s), no syscall rows" % e
        for name, calls in syscalls.rows(counts):
            self.syscalls_csv.write(dict(self._key(workload, alloc, threads), syscall=name, calls=calls))
        return "ok, %d syscalls (mmap %d, munmap %d, madvise %d)" % (
            counts["total"], counts.get("mmap", 0), counts.get("munmap", 0), counts.get("madvise", 0))

    def _perf_row(self, workload, threads, alloc, event, value, ops, source):
        per_op = value / ops if value is not None and ops else None
        self.perf_csv.write(dict(self._key(workload, alloc, threads), event=event,
                                 value=int(value) if value is not None else None, per_op=per_op, source=source))

    def perf_run(self, workload, threads, alloc):
        if not counters.perf_available():
            for event in counters.EVENTS:
                self._perf_row(workload, threads, alloc, event, None, None, counters.SOURCE_UNSUPPORTED)
            return "perf is not installed: all events unsupported"
        outcome, text = self._tool_run("perf", counters.perf_command, workload, threads,
                                       alloc, self._env(alloc), self.cfg.timeout)
        if outcome.status != schema.STATUS_OK:
            return outcome.status + ", no perf rows"
        try:
            counts = counters.parse_perf(text)
        except ValueError as e:
            return "unreadable perf output (%s), no perf rows" % e
        ops = float(outcome.result["ops"])
        for event in counters.EVENTS:
            value = counts.get(event)
            source = counters.SOURCE_PERF if value is not None else counters.SOURCE_UNSUPPORTED
            self._perf_row(workload, threads, alloc, event, value, ops, source)
        return "ok, %d of %d events counted" % (sum(v is not None for v in counts.values()), len(counts))

    def cachegrind_run(self, workload, threads, alloc):
        outcome, text = self._tool_run("cachegrind", counters.cachegrind_command, workload,
                                       threads, alloc, self._env(alloc),
                                       self.cfg.timeout * CACHEGRIND_TIMEOUT_FACTOR, "tiny")
        if outcome.status != schema.STATUS_OK:
            return outcome.status + ", no simulated branch rows"
        try:
            counts = counters.parse_cachegrind(text)
        except ValueError as e:
            return "unreadable cachegrind output (%s), no simulated branch rows" % e
        ops = float(outcome.result["ops"])
        for event in ("branches", "branch-misses"):
            self._perf_row(workload, threads, alloc, event, counts[event], ops, counters.SOURCE_CACHEGRIND)
        return "ok, %.3f simulated branch misses per op" % (counts["branch-misses"] / ops)

    def callgrind_run(self, workload, threads, alloc):
        cmd = self._job(workload, threads, "tiny").command()
        outcome, text = self._tool_run("callgrind", callgrind.command, workload, threads, alloc, self._env(alloc),
                                       self.cfg.timeout * CACHEGRIND_TIMEOUT_FACTOR, "tiny")
        if outcome.status != schema.STATUS_OK:
            return outcome.status + ", no allocator cost rows"
        try:
            cost = alloc_cost.measure_text(text, cmd, alloc.path)
        except ValueError as e:
            return "allocator cost not attributed (%s), no rows" % e
        for event, value, per_op in cost.rows():
            self.perf_csv.write(dict(self._key(workload, alloc, threads), event=event, value=value, per_op=per_op,
                                     source=alloc_cost.SOURCE))
        return "ok, %.1f instructions per malloc, %.1f per free" % (
            cost.per_call("malloc", "instructions"), cost.per_call("free", "instructions"))

    # ---- the whole matrix -----------------------------------------------------------------

    def _plan(self):
        n_cells = len(self.cells) * len(self.cfg.allocators)
        plan = {"timed": self.cfg.reps * n_cells}
        if self.do_strace:
            plan["strace"] = n_cells
        if self.cfg.perf:
            plan["perf"] = n_cells
        if self.fallback_branches:
            plan["cachegrind"] = len(self._cells_for("cachegrind")) * len(self.cfg.allocators)
        if self.do_alloc_cost:
            plan["callgrind"] = len(self._cells_for("callgrind")) * len(self.cfg.allocators)
        return plan

    def programs(self):
        """The program workloads of the matrix, in order."""
        return [w for w, _ in self.cells if self.cfg.catalog.is_program(w)]

    def _cells_for(self, kind):
        """Cells measured by a kind of run: cachegrind's and callgrind's simulations are for the drivers only (a
        whole program under valgrind would take minutes per run)."""
        if kind not in ("cachegrind", "callgrind"):
            return self.cells
        return [c for c in self.cells if not self.cfg.catalog.is_program(c[0])]

    def _check_programs(self):
        """Leave out the programs that are not installed or whose reference run on glibc fails (the output
        check needs that run); the reason goes to the log and to meta.json."""
        for workload, threads in list(self.cells):
            if not self.cfg.catalog.is_program(workload):
                continue
            job = self._job(workload, threads)
            why = job.program.missing()
            if why is None:
                self.log("%s: generating inputs and making the reference run on glibc" % workload)
                why = job.reference(self.base_env, self.cfg.timeout)
            if why:
                self.log("leaving out program %s: %s" % (workload, why))
                self.programs_skipped[workload] = why
                self.cells.remove((workload, threads))

    def _prepare_dir(self):
        run_dir = self.cfg.run_dir
        if os.path.isdir(run_dir) and os.listdir(run_dir):
            raise FileExistsError("%s already holds a run; choose another --run-id" % run_dir)
        os.makedirs(run_dir, exist_ok=True)
        latest = os.path.join(self.cfg.out_dir, "latest")
        tmp = latest + ".tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(self.cfg.run_id, tmp)
        os.replace(tmp, latest)

    def _note_tools(self):
        if self.cfg.strace and not self.do_strace:
            self.log("strace is not installed: no syscall counts (syscalls.csv stays empty)")
        if self.cfg.perf and not counters.perf_available():
            self.log("perf is not installed: perf.csv marks every event unsupported")
        elif self.cfg.perf:
            missing = [e for e, ok in self.perf_support.items() if not ok]
            if missing:
                self.log("perf cannot count %s on this machine: recorded as unsupported" % ", ".join(missing))
        if self.cfg.perf and not self.perf_support.get("branch-misses"):
            self.log("branch misses: %s" % ("simulated by cachegrind on the tiny profile" if self.fallback_branches
                                            else "valgrind is not installed, no fallback"))
        if self.cfg.perf and not self.do_alloc_cost:
            self.log("valgrind is not installed: no allocator cost per call (callgrind)")

    def more_reps(self, rep, rows):
        """After rep reps with summary rows: whether to measure another rep (--target-ci), saying why."""
        if self.cfg.target_ci is None:
            return False
        widths = summary.headline_widths(rows)
        if not widths:
            self.log("rep %d: no paired ratio to narrow (a cell needs 2 ok reps of two allocators): stopping" % rep)
            return False
        shown = ", ".join("%s threads=%d %.1f%%" % (w, t, 100 * width) for (w, t), width in widths.items())
        wide = [cell for cell, width in widths.items() if width > self.cfg.target_ci]
        if not wide:
            self.log("rep %d: every CI of hakmem vs its best peer is within %.1f%%: %s"
                     % (rep, 100 * self.cfg.target_ci, shown))
            return False
        if rep >= self.cfg.max_reps:
            self.log("rep %d = --max-reps: stopping with CIs wider than %.1f%% in %d cell(s): %s"
                     % (rep, 100 * self.cfg.target_ci, len(wide), shown))
            return False
        self.log("rep %d: CI widths %s; target %.1f%%: one more rep" % (rep, shown, 100 * self.cfg.target_ci))
        return True

    def run(self):
        """Measure everything; return the summary rows. Ctrl-C (or SIGTERM) stops the measuring,
        keeps what is on disk and still writes summary.csv and meta.json; self.interrupted says so."""
        cfg = self.cfg
        self._prepare_dir()
        run_dir = cfg.run_dir
        self._check_programs()
        settings = {"reps": cfg.reps, "target_ci": cfg.target_ci, "max_reps": cfg.max_reps,
                    "workloads": cfg.workload_names,
                    "threads": cfg.thread_counts, "allocators": [a.name for a in cfg.allocators],
                    "allocator_order": "a Williams design: rows rotate per rep (hakbench.stats.run_order)",
                    "seed": SEED, "timeout_s": cfg.timeout,
                    "pin": sorted(cfg.pin) if isinstance(cfg.pin, set) else cfg.pin,
                    "strace": self.do_strace,
                    "perf": cfg.perf and counters.perf_available(),
                    "cachegrind_branch_fallback": self.fallback_branches,
                    "callgrind_alloc_cost": self.do_alloc_cost,
                    "programs_skipped": self.programs_skipped}
        info = meta.collect(cfg.run_id, cfg.argv, cfg.profile, cfg.allocators + cfg.skipped, cfg.hakmem_env, cfg.other_env,
                            self.perf_support, settings)
        meta_path = os.path.join(run_dir, "meta.json")
        meta.write(meta_path, info)
        self._note_tools()
        progress = Progress(self._plan())
        self.runs_csv = csvfiles.AppendWriter(os.path.join(run_dir, "runs.csv"), schema.RUNS)
        self.syscalls_csv = csvfiles.AppendWriter(os.path.join(run_dir, "syscalls.csv"), schema.SYSCALLS)
        self.perf_csv = csvfiles.AppendWriter(os.path.join(run_dir, "perf.csv"), schema.PERF)
        fd, self._out_file = tempfile.mkstemp(prefix="hakbench-", suffix=".out")
        os.close(fd)
        try:
            rep, rows, reps_shown = 0, [], str(cfg.reps) if cfg.target_ci is None else "%d+" % cfg.reps
            while rep < cfg.reps or self.more_reps(rep, rows):
                rep += 1
                if rep > cfg.reps:
                    progress.add("timed", len(self.cells) * len(cfg.allocators))
                for workload, threads in self.cells:
                    for alloc in stats.run_order(cfg.allocators, rep - 1):
                        start = time.monotonic()
                        outcome = self.timed_run(workload, threads, alloc, rep)
                        progress.finished("timed", time.monotonic() - start, "rep %d/%s %s threads=%d %s" % (
                            rep, reps_shown, workload, threads, alloc.name), _fmt_result(outcome, self._job(
                                workload, threads).unit))
                rows = summary.write(run_dir)
                settings["reps_done"] = rep
            extra = [("strace", self.strace_run, self.do_strace), ("perf", self.perf_run, cfg.perf),
                     ("cachegrind", self.cachegrind_run, self.fallback_branches),
                     ("callgrind", self.callgrind_run, self.do_alloc_cost)]
            for kind, measure, wanted in extra:
                if not wanted:
                    continue
                for workload, threads in self._cells_for(kind):
                    for alloc in cfg.allocators:
                        start = time.monotonic()
                        what = measure(workload, threads, alloc)
                        progress.finished(kind, time.monotonic() - start, "%s %s threads=%d %s" % (
                            kind, workload, threads, alloc.name), what)
        except KeyboardInterrupt:
            self.interrupted = True
            self.log("interrupted: keeping what was measured, writing the summary")
        finally:
            for writer in (self.runs_csv, self.syscalls_csv, self.perf_csv):
                writer.close()
            if os.path.exists(self._out_file):
                os.unlink(self._out_file)
            rows = summary.write(run_dir)
            self.program_rows = program_summary.write(run_dir, self.programs(), [a.name for a in cfg.allocators])
            meta.finish(meta_path, info, self.interrupted)
            cfg.catalog.close()
        return rows
