"""Program workloads: a real program run whole under each allocator (LD_PRELOAD reaches it and every process
it starts), measured like a driver run (wall, user/sys, peak RSS, faults; strace and perf around it).

A program's throughput is work units per second when it reports its work (redis-benchmark's requests, or the
number a user's --program-work regex finds in stdout), else runs per second (1 / wall time); runs.csv says
which in work_unit. Its output is checked: by default stdout (and the files it writes, by sha256) must equal
those of a reference run on glibc made before the first measured run, so that a wrong result is recorded as
`corruption`, never as a fast run.
"""
import glob
import hashlib
import os
import re
import shlex
import shutil
import tempfile

from . import proc, schema

UNIT_RUN = "run"  # no reported work: throughput = 1 / wall time
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
CHECK_REFERENCE, CHECK_EXIT = "reference", "exit"  # --program-check values besides sha256:HEX
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


class Program:
    """One program workload.

    argv(inputs, profile): the command (inputs = the directory prepare() filled); it runs in a fresh scratch
    directory (or in cwd, when given). prepare(inputs, profile): writes its generated inputs, once per matrix.
    outputs: glob patterns of files the run writes into its scratch directory, checked by sha256 with stdout.
    work(stdout, client_result): (work units, seconds or None for the wall time) when the program reports
    its work, else None.
    client(profile): for a server, an object whose run(server_pid, scratch, env, timeout) -> (checked text,
    report text) is the client side (not under the allocator) that drives the server, checks it and stops it,
    whose work(stdout, that pair) is the program's work() and whose params() describe the load.
    own_allocator: the binary is linked against another malloc (redis: jemalloc), so the glibc runs preload
    libc itself to get glibc's malloc."""

    def __init__(self, name, argv, package=None, prepare=None, params=None, outputs=(), work=None, unit=UNIT_RUN,
                 check=CHECK_REFERENCE, client=None, own_allocator=False, env=None, threads=1, cwd=None,
                 binaries=()):
        self.name, self.argv, self.package, self.prepare = name, argv, package, prepare
        self.params = params or (lambda profile: " ".join(argv(None, profile)))
        self.outputs, self.work, self.unit, self.check = list(outputs), work, unit, check
        self.client, self.own_allocator, self.env = client, own_allocator, dict(env or {})
        self.threads, self.cwd, self.binaries = threads, cwd, list(binaries)

    def missing(self):
        """Why this program cannot run here (a binary not installed), or None."""
        absent = [b for b in self.binaries if shutil.which(b) is None]
        if not absent:
            return None
        return "%s not installed%s" % (", ".join(absent), " (Debian package %s)" % self.package if self.package else "")


def regex_work(pattern):
    """work() counting the units the regex's first group finds in stdout (the last match), timed by wall time."""
    compiled = re.compile(pattern)

    def work(stdout, client_result):
        found = compiled.findall(stdout)
        if not found:
            return None
        last = found[-1]
        return float(last[0] if isinstance(last, tuple) else last), None
    return work


def user_program(name, command, work=None, check=CHECK_REFERENCE):
    """The Program of --program NAME='command ...' (run in the caller's directory; argv split like a shell's
    words, without a shell: give `sh -c '...'` for pipes). work: a regex whose first group is the work units
    in stdout; check: reference, exit (exit status only) or sha256:HEX (of stdout). ValueError when malformed."""
    if not NAME.match(name):
        raise ValueError("program name %r: letters, digits, '_' and '-' only, starting with a letter" % name)
    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise ValueError("program %s: %s" % (name, e)) from None
    if not argv:
        raise ValueError("program %s: empty command" % name)
    if work is not None:
        try:
            if re.compile(work).groups < 1:
                raise ValueError("program %s: the work regex needs a group around the number" % name)
        except re.error as e:
            raise ValueError("program %s: bad work regex: %s" % (name, e)) from None
    if check not in (CHECK_REFERENCE, CHECK_EXIT) and not re.match(r"^sha256:[0-9a-f]{64}$", check):
        raise ValueError("program %s: check must be reference, exit or sha256:<64 hex digits>" % name)
    return Program(name, lambda inputs, profile: list(argv), params=lambda profile: command,
                   work=regex_work(work) if work else None, unit="work unit" if work else UNIT_RUN, check=check,
                   cwd=os.getcwd(), binaries=[argv[0]])


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ProgramJob:
    """A program at one profile, its inputs prepared once under root and its glibc reference run made once:
    run() measures one run and classifies it against the reference."""

    def __init__(self, program, profile, root):
        self.program, self.profile = program, profile
        self.inputs = os.path.join(root, "%s-%s" % (program.name, profile))
        self.threads, self.unit = program.threads, program.unit
        self.params = program.params(profile)
        self.client = program.client(profile) if program.client else None
        self.work = self.client.work if self.client else program.work
        self._prepared = False
        self.expected = None  # the reference run's checked text, once made

    def prepare(self):
        if not self._prepared:
            os.makedirs(self.inputs, exist_ok=True)
            if self.program.prepare:
                self.program.prepare(self.inputs, self.profile)
            self._prepared = True

    def command(self):
        return self.program.argv(self.inputs, self.profile)

    def _env(self, env):
        env = dict(env, **self.program.env)
        if self.program.own_allocator and "LD_PRELOAD" not in env:
            env["LD_PRELOAD"] = LIBC  # glibc's malloc in front of the one the binary links
        return env

    def _checked_text(self, outcome, scratch):
        """What the output check compares: the client's checked text for a server, else stdout, plus the
        sha256 of each output file; the scratch directory's name (which differs every run) replaced by DIR."""
        text = outcome.during[0] if self.client else outcome.stdout
        text = text.replace(scratch, "DIR")
        for pattern in self.program.outputs:
            paths = sorted(glob.glob(os.path.join(scratch, pattern)))
            text += "".join("\n%s %s" % (os.path.basename(p), sha256_file(p)) for p in paths) or "\nno " + pattern
        return text

    def reference(self, env, timeout=None):
        """Make the reference run on glibc (env without LD_PRELOAD) once: None when it succeeded (or the
        program's check needs no reference), else why it failed."""
        if self.expected is not None or self.program.check != CHECK_REFERENCE:
            return None
        outcome, text = self._execute({k: v for k, v in env.items() if k != "LD_PRELOAD"}, None, timeout, None)
        if outcome.exit_code != 0 or outcome.status == schema.STATUS_TIMEOUT:
            tail = " ".join(outcome.stderr.strip().splitlines()[-2:])[:300]
            return "the reference run on glibc failed (%s, exit %s): %s" % (outcome.status, outcome.exit_code, tail)
        self.expected = text
        return None

    def _execute(self, env, wrap, timeout, cpus):
        """One run: (Outcome as proc.run_measured gives it, checked text or None when the run failed)."""
        self.prepare()
        env = self._env(env)
        argv = self.command()
        if wrap:
            argv, env = wrap(argv, env)
        scratch = tempfile.mkdtemp(prefix="hakbench-%s-" % self.program.name)
        try:
            client = self.client
            during = (lambda pid: client.run(pid, scratch, env, timeout)) if client else None
            outcome = proc.run_measured(argv, env=env, timeout=timeout, cpus=cpus,
                                        cwd=self.program.cwd or scratch, during=during)
            text = None
            if outcome.exit_code == 0 and outcome.status != schema.STATUS_TIMEOUT:
                text = self._checked_text(outcome, scratch)
            return outcome, text
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def run(self, env, wrap=None, timeout=None, cpus=None):
        """Measure one run: an Outcome whose status is ok (output as the reference's), corruption (exit 0
        with another output), error (non-zero exit), crash:SIG or timeout, and whose result holds
        ops (work units), seconds and ops_per_sec when ok. wrap(argv, env) -> (argv, env) puts a tool
        (strace, perf) around the program."""
        outcome, text = self._execute(env, wrap, timeout, cpus)
        outcome.result = None
        if text is None:
            if outcome.status in (schema.STATUS_OK, schema.STATUS_NO_RESULT, schema.STATUS_CORRUPTION):
                outcome.status = schema.STATUS_ERROR  # a non-zero exit: the drivers' exit-3 rule is theirs only
            return outcome
        problem = self._check(text)
        if problem:
            outcome.status = schema.STATUS_CORRUPTION
            outcome.stderr += "\nhakbench: corruption: %s\n" % problem
            return outcome
        outcome.status = schema.STATUS_OK
        reported = self.work(outcome.stdout, outcome.during) if self.work else None
        if self.work and reported is None:
            outcome.status = schema.STATUS_NO_RESULT
            outcome.stderr += "\nhakbench: the program's output holds no work count\n"
            return outcome
        units, seconds = reported if reported else (1.0, None)
        seconds = seconds or outcome.wall_s
        outcome.result = {"ops": units, "seconds": seconds, "ops_per_sec": units / seconds}
        return outcome

    def _check(self, text):
        """None when text passes the program's check, else what is wrong."""
        check = self.program.check
        if check == CHECK_EXIT:
            return None
        if check.startswith("sha256:"):
            got = hashlib.sha256(text.encode()).hexdigest()
            return None if got == check[len("sha256:"):] else "stdout's sha256 is %s, expected %s" % (got, check[7:])
        if self.expected is None:
            raise RuntimeError("ProgramJob.run before reference()")  # the callers make the reference first
        if text == self.expected:
            return None
        mine, theirs = text.splitlines(), self.expected.splitlines()
        for number, (a, b) in enumerate(zip(mine, theirs), 1):
            if a != b:
                return "output differs from the glibc reference run at line %d: %r, expected %r" % (
                    number, a[:120], b[:120])
        return "output differs from the glibc reference run: %d lines, expected %d" % (len(mine), len(theirs))
