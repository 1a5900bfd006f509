"""Reading one run's output directory (results/<run-id>/) back for figures and the report.

Every CSV is optional: a run made with --no-perf has no perf.csv, an interrupted one may lack summary.csv.
A missing or unreadable file becomes None plus a line in notes, never an exception.
"""
import json
import os

from . import csvfiles, program_suite, schema
from .allocators import DEFAULT_ORDER
from .workloads import NAMES

FILES = {"runs": schema.RUNS, "syscalls": schema.SYSCALLS, "perf": schema.PERF, "summary": schema.SUMMARY,
         "ratios": schema.RATIOS}


def ordered(names, canonical):
    """names in the order of canonical, then the others sorted."""
    names = set(names)
    return [n for n in canonical if n in names] + sorted(names - set(canonical))


class RunData:
    """One results/<run-id>/ directory: runs, syscalls, perf, summary (lists of dicts or None) and meta."""

    def __init__(self, results_dir):
        self.dir = os.path.realpath(results_dir)
        self.run_id = os.path.basename(self.dir)
        self.notes = []
        for attr, kind in FILES.items():
            setattr(self, attr, self._read_csv(kind))
        self.meta = self._read_meta()

    def _read_csv(self, kind):
        """The typed rows of one of the run's CSV files (kind: its schema), or None after a note when the file
        is missing or its header lacks a column; a malformed row is skipped after a note naming its line."""
        try:
            return csvfiles.read(os.path.join(self.dir, kind.kind), kind,
                                 bad_row=lambda e: self.notes.append("%s: skipped" % e))
        except FileNotFoundError:
            self.notes.append("%s is missing" % kind.kind)
        except csvfiles.CSVError as e:
            self.notes.append("%s: ignored" % e)
        return None

    def _read_meta(self):
        path = os.path.join(self.dir, "meta.json")
        if not os.path.exists(path):
            self.notes.append("meta.json is missing")
            return {}
        try:
            with open(path) as f:
                meta = json.load(f)
        except (OSError, ValueError) as e:
            self.notes.append("meta.json is unreadable (%s)" % e)
            return {}
        return meta if isinstance(meta, dict) else {}

    # --- views used by the figures and the report ---

    def _all_rows(self):
        return (self.summary or []) + (self.runs or [])

    def workloads(self):
        return ordered({r["workload"] for r in self._all_rows()}, NAMES + program_suite.NAMES)

    def allocators(self):
        return ordered({r["allocator"] for r in self._all_rows()}, DEFAULT_ORDER)

    def programs(self):
        """The program workloads (a work unit other than the drivers' op), in workload order."""
        found = {r["workload"] for r in self.runs or [] if r["work_unit"] not in (None, "", "op")}
        return [w for w in self.workloads() if w in found]

    def threads_of(self, workload):
        return sorted({r["threads"] for r in self._all_rows() if r["workload"] == workload})

    def summary_cell(self, workload, allocator, threads):
        """The summary row of one cell, or None."""
        for row in self.summary or []:
            if (row["workload"], row["allocator"], row["threads"]) == (workload, allocator, threads):
                return row
        return None

    def failed_runs(self):
        """runs.csv rows whose status is not ok, in file order."""
        return [r for r in self.runs or [] if r["status"] != schema.STATUS_OK]

    def failure_statuses(self, workload, allocator, threads):
        """Statuses of the failed runs of one cell (e.g. ["crash:SIGSEGV", "timeout"])."""
        return [r["status"] for r in self.failed_runs()
                if (r["workload"], r["allocator"], r["threads"]) == (workload, allocator, threads)]

    def syscall_counts(self, workload, allocator, threads):
        """{syscall: calls} from syscalls.csv for one cell ({} if none recorded)."""
        return {r["syscall"]: r["calls"] for r in self.syscalls or []
                if (r["workload"], r["allocator"], r["threads"]) == (workload, allocator, threads)}

    def profile(self):
        return self.meta.get("profile")
