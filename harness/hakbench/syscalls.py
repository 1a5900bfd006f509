"""Syscall counts of one run, from `strace -f -c` (an untimed run: strace slows every syscall down)."""
import shutil

from . import schema

STRACE = "strace"


def available():
    return shutil.which(STRACE) is not None


def command(cmd, out_file, preload=None):
    """argv running cmd under strace, the summary table going to out_file.

    The preloaded allocator is given to the traced program with -E, not to strace itself:
    strace must survive an allocator that crashes."""
    argv = [STRACE, "-f", "-c", "-qq", "-o", out_file]
    if preload:
        argv += ["-E", "LD_PRELOAD=" + preload]
    return argv + ["--"] + list(cmd)


def parse_table(text):
    """{syscall: calls} from the table `strace -c` prints, with the "total" row as "total".

    Columns: % time, seconds, usecs/call, calls, [errors], syscall (errors is blank when 0).
    strace prints one table per personality (rare: 32-bit code in a 64-bit process); their rows are added.
    Raises ValueError when there is no table."""
    counts = {}
    for line in text.splitlines():
        words = line.split()
        if not words or words[0][0] in "%-" or line.startswith("System call usage"):
            continue  # header, separator, personality title
        if len(words) not in (5, 6) or not words[3].isdigit():
            raise ValueError("unexpected strace -c line: %r" % line)
        name, calls = words[-1], int(words[3])
        counts[name] = counts.get(name, 0) + calls
    if "total" not in counts:
        raise ValueError("no strace -c table with a total row")
    return counts


def rows(counts):
    """(syscall, calls) pairs for syscalls.csv: every key syscall (0 when strace counted none of it),
    then the others by decreasing count, then the total."""
    key = [(name, counts.get(name, 0)) for name in schema.KEY_SYSCALLS]
    others = sorted(((n, c) for n, c in counts.items() if n not in schema.KEY_SYSCALLS and n != "total"),
                    key=lambda nc: (-nc[1], nc[0]))
    return key + others + [("total", counts["total"])]
