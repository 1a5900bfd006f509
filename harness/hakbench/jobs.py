"""What the matrix and the compare tools run: a workload name at a profile becomes a job whose run() measures
one run. Workloads are the drivers (workloads.py, the "micro" suite) and programs (the built-in "programs"
suite of program_suite.py and the user's --program ones); "all" names both suites."""
import shutil
import tempfile

from . import proc, program_suite, workloads
from .programs import ProgramJob

UNIT_OP = "op"  # the drivers' unit: one malloc or one free
MICRO, PROGRAMS, ALL = "micro", "programs", "all"


class CommandJob:
    """A command printing a RESULT line (a driver, a test program); the same interface as programs.ProgramJob."""

    unit = UNIT_OP

    def __init__(self, argv):
        self.argv = list(argv)
        self.params = " ".join(self.argv[1:])

    def command(self):
        return self.argv

    def reference(self, env, timeout=None):
        return None  # such a program checks its own work (the drivers: exit 3 on a corrupted block)

    def run(self, env, wrap=None, timeout=None, cpus=None):
        argv = self.argv
        if wrap:
            argv, env = wrap(argv, env)
        return proc.run_measured(argv, env=env, timeout=timeout, cpus=cpus)


class DriverJob(CommandJob):
    """A workload driver at one size."""

    def __init__(self, workload, threads, profile, seed):
        super().__init__(workloads.command(workload, threads, profile, seed))
        self.workload, self.threads, self.profile, self.seed = workload, threads, profile, seed
        self.params = workloads.params_string(workload, threads, profile, seed)


class Catalog:
    """Every workload a run may name: the drivers, the built-in programs and user_programs (Program objects).
    Program inputs are generated into a temporary directory, once per catalog; close() removes it."""

    def __init__(self, user_programs=()):
        self.programs = {p.name: p for p in program_suite.suite()}
        self.user = [p.name for p in user_programs]
        for p in user_programs:
            if p.name in self.programs or p.name in workloads.NAMES or p.name in (MICRO, PROGRAMS, ALL):
                raise ValueError("program name %s is taken by a built-in workload or suite" % p.name)
            self.programs[p.name] = p
        self._root = None
        self._jobs = {}

    def names(self):
        return list(workloads.NAMES) + list(self.programs)

    def suite(self, name):
        builtin = [n for n in self.programs if n not in self.user]
        return {MICRO: list(workloads.NAMES), PROGRAMS: builtin, ALL: list(workloads.NAMES) + builtin}.get(name)

    def expand(self, names):
        """Workload names with suite names replaced by their members, each once; ValueError on unknown ones."""
        out = []
        for name in names:
            members = self.suite(name) or ([name] if name in self.names() else None)
            if members is None:
                raise ValueError("unknown workload %r (known: %s; suites: %s, %s, %s)" % (
                    name, ", ".join(self.names()), MICRO, PROGRAMS, ALL))
            out += [m for m in members if m not in out]
        return out

    def is_program(self, name):
        return name in self.programs

    def threads(self, name, thread_counts):
        """The thread counts a workload runs at: each of thread_counts for a threaded driver, else its own."""
        if name in self.programs:
            return [self.programs[name].threads]
        return list(thread_counts) if name in workloads.THREADED else [1]

    def job(self, name, threads, profile, seed):
        """The job of one cell (programs: one per profile, inputs prepared and reference made once)."""
        if name not in self.programs:
            return DriverJob(name, threads, profile, seed)
        key = (name, profile)
        if key not in self._jobs:
            if self._root is None:
                self._root = tempfile.mkdtemp(prefix="hakbench-inputs-")
            self._jobs[key] = ProgramJob(self.programs[name], profile, self._root)
        return self._jobs[key]

    def close(self):
        if self._root:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
