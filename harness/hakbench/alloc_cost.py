"""Allocator-only cost per call, from one callgrind run of a driver: the instructions and the simulated D1
and LL data misses spent inside malloc and inside free per call, separately from the driver's own work.

What counts as the allocator: every call the driver binary makes to malloc or free, with everything
those calls execute (callgrind's inclusive cost): the allocator's own library, the libc functions it
calls (memset, mmap, locks...), the kernel entry instructions of its syscalls. For glibc that is what
lies under libc's malloc and free. The name the driver's call reaches is the one the dynamic linker
binds: the preloaded library's malloc if it defines one, else libc's; callgrind may show it under any
alias at the same address (e.g. __libc_malloc), so every alias counts. Everything else (the driver
writing and checking its tags, process start-up and exit) is the driver's share.

The allocator's counts are deterministic for the single-threaded, count-bound drivers (tiny_hot,
random_mixed, mid_large_mt at one thread): the same binaries give the same figures on any machine and
under any load. The driver's share moves by a few hundred instructions per run (formatting the measured
time in its RESULT line). larson runs for a fixed time, and runs with several threads depend on valgrind's
thread scheduling: their per-call figures move a little between runs."""
import os
import subprocess

from . import callgrind, schema
from .allocators import ldconfig_lookup

SOURCE = "callgrind"
FUNCTIONS = ("malloc", "free")
# reported metric -> the callgrind events it adds up
METRICS = {"instructions": ("Ir",), "d1_misses": ("D1mr", "D1mw"), "ll_misses": ("DLmr", "DLmw")}
LIBC_SONAME = "libc.so.6"
# valgrind's name for the start-up code that calls main; it may be filed under the driver's object, and
# it includes everything, so it is not an entry into the driver's own code.
BELOW_MAIN = "(below main)"

# summary.csv columns (schema.ALLOC_COST): (column, perf.csv event whose per_op it holds)
SUMMARY_COLUMNS = [("%s_per_%s" % (metric, fn), "%s_%s" % (fn, metric)) for metric in METRICS
                   for fn in FUNCTIONS] + [("driver_instructions_per_op", "driver_instructions")]
assert [column for column, _ in SUMMARY_COLUMNS] == schema.ALLOC_COST


def _dynamic_symbols(library):
    """{name: address} of the functions and objects a shared library defines (nm -D)."""
    try:
        out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True)
    except OSError as e:   # nm comes with binutils (build-essential)
        raise ValueError("cannot run nm: %s" % e) from None
    if out.returncode != 0:
        raise ValueError("nm -D %s failed: %s" % (library, out.stderr.strip()))
    symbols = {}
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3:
            symbols[callgrind.plain_name(fields[2])] = fields[0]
    return symbols


def entry_names(preloaded):
    """{"malloc": names, "free": names}: the names under which callgrind may show the function the driver's
    call binds to: its definition in the preloaded library (None: nothing preloaded), else in libc,
    and every alias at the same address."""
    tables = [_dynamic_symbols(lib) for lib in (preloaded, ldconfig_lookup(LIBC_SONAME)) if lib]
    names = {}
    for fn in FUNCTIONS:
        table = next((t for t in tables if fn in t), {})
        names[fn] = {fn} | {name for name, address in table.items() if address == table.get(fn)}
    return names


class Cost:
    """calls: function -> calls from the driver; spent: function -> metric -> inclusive count;
    driver: metric -> what the driver's own code spent (see attribute)."""

    def __init__(self, calls, spent, driver):
        self.calls, self.spent, self.driver = calls, spent, driver

    def per_call(self, fn, metric):
        return self.spent[fn][metric] / self.calls[fn]

    def ops(self):
        return sum(self.calls.values())

    def rows(self):
        """perf.csv rows (event, value, per_op): per_op is per call of malloc or free for their events
        (one op = one malloc or one free), per op of the driver for driver_instructions."""
        out = []
        for fn in FUNCTIONS:
            out.append(("%s_calls" % fn, self.calls[fn], None))
            out += [("%s_%s" % (fn, metric), self.spent[fn][metric], self.per_call(fn, metric)) for metric in METRICS]
        instructions = self.driver["instructions"]
        out.append(("driver_instructions", instructions, instructions / self.ops()))
        return out


def _metric(cost, metric):
    try:
        return sum(cost[event] for event in METRICS[metric])
    except KeyError as missing:
        raise ValueError("callgrind output lacks event %s (was --cache-sim=yes given?)" % missing) from None


def attribute(profile, driver, names):
    """Cost of the calls that the driver binary (its path) makes to the functions of names (see entry_names).
    The driver's share is what the calls into the driver from outside (main, thread functions) spent,
    less the allocator's: process start-up and exit, and allocator work outside the driver's calls
    (e.g. initialisation from a constructor), are in neither.
    ValueError when the driver made no call to one of them: the attribution found nothing, which is not 0."""
    driver = os.path.realpath(driver)
    calls = {fn: 0 for fn in FUNCTIONS}
    spent = {fn: {metric: 0 for metric in METRICS} for fn in FUNCTIONS}
    entered = {metric: 0 for metric in METRICS}
    for edge in profile.edges:
        from_driver = os.path.realpath(edge.caller_object) == driver
        if not from_driver and edge.callee != BELOW_MAIN and os.path.realpath(edge.callee_object) == driver:
            for metric in METRICS:
                entered[metric] += _metric(edge.cost, metric)
        if not from_driver:
            continue
        callee = callgrind.plain_name(edge.callee)
        for fn in FUNCTIONS:
            if callee in names[fn]:
                calls[fn] += edge.calls
                for metric in METRICS:
                    spent[fn][metric] += _metric(edge.cost, metric)
    missing = [fn for fn in FUNCTIONS if not calls[fn]]
    if missing:
        raise ValueError("no call from %s to %s found" % (driver, " or ".join(
            "%s (as %s)" % (fn, "/".join(sorted(names[fn]))) for fn in missing)))
    own = {metric: entered[metric] - sum(spent[fn][metric] for fn in FUNCTIONS) for metric in METRICS}
    return Cost(calls, spent, own)


def measure_text(text, cmd, preloaded):
    """Cost from the text of the callgrind output of a run of cmd (the driver's argv) with preloaded
    (a library path, or None for glibc)."""
    return attribute(callgrind.parse(text), cmd[0], entry_names(preloaded))


def summary_columns(perf_rows):
    """The summary.csv columns of SUMMARY_COLUMNS from one cell's typed perf.csv rows (None where absent)."""
    per_op = {r["event"]: r["per_op"] for r in perf_rows if r["source"] == SOURCE and r["per_op"] is not None}
    return {column: per_op.get(event) for column, event in SUMMARY_COLUMNS}


def _fmt(value, digits):
    return "-" if value is None else "%.*f" % (digits, value)


def format_table(rows):
    """Text table of the allocator cost columns of summary rows (those that have them)."""
    measured = [r for r in rows if r.get("instructions_per_malloc") is not None]
    if not measured:
        return ""
    header = ("workload", "threads", "allocator", "instr/malloc", "instr/free", "D1 miss/malloc", "D1 miss/free",
              "LL miss/malloc", "LL miss/free", "driver instr/op")
    table = [header] + [(r["workload"], str(r["threads"]), r["allocator"],
                         _fmt(r["instructions_per_malloc"], 1), _fmt(r["instructions_per_free"], 1),
                         _fmt(r["d1_misses_per_malloc"], 3), _fmt(r["d1_misses_per_free"], 3),
                         _fmt(r["ll_misses_per_malloc"], 4), _fmt(r["ll_misses_per_free"], 4),
                         _fmt(r["driver_instructions_per_op"], 1)) for r in measured]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["== allocator cost per call (callgrind, tiny profile): instructions and simulated D1/LL data misses",
             "   inside malloc and free and what they call; driver instr/op = everything else per op"]
    for row in table:
        lines.append("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    return "\n".join(lines) + "\n"
