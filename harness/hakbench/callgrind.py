"""valgrind --tool=callgrind: the command line, and the call edges of its output file.

Only what the allocator-cost attribution needs is read: the events line and, for every call site, the
caller (object, function), the callee (object, function), the number of calls and the inclusive cost of
those calls (the callee and everything it called in turn). Self costs are not kept."""
import re

VALGRIND = "valgrind"
# Cache geometry fixed rather than read from the host, so that simulated misses are the same on every
# machine: 32 KiB 8-way L1s and an 8 MiB 16-way last level, 64-byte lines.
CACHE_FLAGS = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]

_NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")   # "(12) name" defines id 12, "(12)" refers to it
_HEADERS = ("positions:", "events:", "summary:", "totals:")
_SUFFIX = re.compile(r"('\d+|@@?[\w.]+)+$")     # recursion depth ('2) and symbol version (@@GLIBC_2.34)


def command(cmd, out_file):
    """argv running cmd under callgrind with the cache simulation on."""
    return [VALGRIND, "--tool=callgrind", "--cache-sim=yes"] + CACHE_FLAGS + [
        "-q", "--callgrind-out-file=" + out_file, "--"] + list(cmd)


def plain_name(name):
    """A function name without callgrind's recursion suffix and the symbol version: malloc'2 -> malloc."""
    return _SUFFIX.sub("", name)


class Edge:
    """Calls from one function to another, summed over their call sites; cost maps event -> inclusive count."""

    def __init__(self, caller_object, caller, callee_object, callee, events):
        self.caller_object, self.caller = caller_object, caller
        self.callee_object, self.callee = callee_object, callee
        self.calls = 0
        self.cost = dict.fromkeys(events, 0)


class Profile:
    """events: event names in file order; totals: event -> whole-program count; edges: list of Edge."""

    def __init__(self, events, totals, edges):
        self.events, self.totals, self.edges = events, totals, edges


def parse(text):
    """Profile of one callgrind output file (compressed or plain names). ValueError if it is not one."""
    names = {}      # (kind, id) -> name, kind: "ob" for objects, "fn" for functions

    def name(kind, value):
        match = _NAME.match(value.strip())
        if not match:
            return value.strip()
        key = (kind, match.group(1))
        if match.group(2) is not None:
            names[key] = match.group(2)
        if key not in names:
            raise ValueError("callgrind output refers to undefined %s id %s" % (kind, match.group(1)))
        return names[key]

    events = totals = None
    positions = 1   # position columns before the costs: "line", or "instr line" with --dump-instr=yes
    ob = fn = None
    cob = cfn = None
    pending_calls = None   # count of a calls= line whose cost line comes next
    edges = {}
    for line in text.splitlines():
        if pending_calls is not None:
            fields = line.split()
            if not fields or events is None:
                raise ValueError("a calls= line is not followed by its cost line")
            key = (ob, fn, cob or ob, cfn)
            edge = edges.get(key) or edges.setdefault(key, Edge(*key, events))
            edge.calls += pending_calls
            for event, value in zip(events, fields[positions:]):   # trailing zeros are left out
                edge.cost[event] += int(value)
            pending_calls, cob = None, None   # a call without cob= is into the caller's object
            continue
        key, sep, value = line.partition(":") if line.startswith(_HEADERS) else line.partition("=")
        if not sep:
            continue
        if key == "positions":
            positions = len(value.split())
        elif key == "events":
            events = value.split()
        elif key in ("summary", "totals") and events is not None:
            totals = dict.fromkeys(events, 0)
            totals.update(zip(events, (int(v) for v in value.split())))
        elif key == "ob":
            ob = name("ob", value)
        elif key == "fn":
            fn = name("fn", value)
        elif key == "cob":
            cob = name("ob", value)
        elif key == "cfn":
            cfn = name("fn", value)
        elif key == "calls":
            if cfn is None:
                raise ValueError("a calls= line without a cfn= line before it")
            pending_calls = int(value.split()[0])
    if events is None or totals is None:
        raise ValueError("not a callgrind output file: no events or summary line")
    return Profile(events, totals, list(edges.values()))
