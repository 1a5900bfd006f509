"""Hardware and software event counts of one run: `perf stat`, and cachegrind's simulated branch
predictor for branch misses when the machine cannot count them (virtual machines usually cannot)."""
import shutil
import subprocess
import tempfile

PERF = "perf"
VALGRIND = "valgrind"
EVENTS = ["branches", "branch-misses", "page-faults", "cycles", "instructions", "context-switches"]
UNCOUNTED = ("<not supported>", "<not counted>")

SOURCE_PERF = "perf"
SOURCE_UNSUPPORTED = "unsupported"
SOURCE_CACHEGRIND = "cachegrind"


def perf_available():
    return shutil.which(PERF) is not None


def valgrind_available():
    return shutil.which(VALGRIND) is not None


def perf_command(cmd, out_file, events=EVENTS):
    """argv running cmd under perf stat, CSV counts (-x,) going to out_file."""
    return [PERF, "stat", "-x", ",", "-e", ",".join(events), "-o", out_file, "--"] + list(cmd)


def parse_perf(text):
    """{event: float, or None when perf printed <not supported> / <not counted>} from `perf stat -x,`.

    A line is value,unit,event,run-time,percent[,metric,metric-unit]; events may carry a modifier
    such as cycles:u (counted in user space only), which is dropped from the name."""
    counts = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(",")
        if len(fields) < 3:
            raise ValueError("unexpected perf stat line: %r" % line)
        value, event = fields[0].strip(), fields[2].strip().split(":")[0]
        counts[event] = None if value in UNCOUNTED else float(value)
    if not counts:
        raise ValueError("perf stat wrote no counts")
    return counts


def probe_perf(events=EVENTS):
    """Which events perf can count on this machine: {event: True/False}; all False without perf."""
    if not perf_available():
        return {e: False for e in events}
    with tempfile.NamedTemporaryFile(mode="r", suffix=".perf") as out:
        subprocess.run(perf_command(["true"], out.name, events), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        try:
            counts = parse_perf(out.read())
        except ValueError:
            return {e: False for e in events}
    return {e: counts.get(e) is not None for e in events}


def cachegrind_command(cmd, out_file, branch_sim=True):
    """argv running cmd under cachegrind with no cache simulated, and the branch predictor only if
    branch_sim (without it: instructions only, Ir)."""
    return [VALGRIND, "--tool=cachegrind", "--cache-sim=no", "--branch-sim=" + ("yes" if branch_sim else "no"),
            "-q", "--cachegrind-out-file=" + out_file, "--"] + list(cmd)


def cachegrind_totals(text):
    """{event: total} from a cachegrind.out file's events and summary lines."""
    events = summary = None
    for line in text.splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("summary:"):
            summary = [int(v) for v in line.split()[1:]]
    if events is None or summary is None or len(events) != len(summary):
        raise ValueError("cachegrind output without matching events and summary lines")
    return dict(zip(events, summary))


def parse_cachegrind(text):
    """{"branches": Bc+Bi, "branch-misses": Bcm+Bim} from a cachegrind.out file's events and summary
    lines (conditional plus indirect branches, and their simulated mispredictions)."""
    total = cachegrind_totals(text)
    try:
        return {"branches": total["Bc"] + total["Bi"], "branch-misses": total["Bcm"] + total["Bim"]}
    except KeyError as missing:
        raise ValueError("cachegrind output lacks %s (was --branch-sim=yes given?)" % missing) from None

