"""What a baseline was measured on: the machine (for ops/s ratios) and the toolchain (for instruction counts)."""
import os
import platform
import subprocess

from measure import meta


def _first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "unknown"
    return out.splitlines()[0].strip() if out.strip() else "unknown"


def description():
    """CPU model, cores and kernel: what decides how two allocators' speeds compare."""
    return {"cpu": meta.cpu_model(), "cores": str(os.cpu_count()), "kernel": platform.release()}


def toolchain():
    """Compiler, C library and valgrind versions: what decides the instruction count of a run."""
    return {"gcc": _first_line(["gcc", "--version"]),
            "glibc": os.confstr("CS_GNU_LIBC_VERSION") or "unknown",
            "valgrind": _first_line(["valgrind", "--version"])}


def differences(recorded, current):
    """Lines 'key: recorded X, here Y' for every key of current whose recorded value differs."""
    return ["%s: baseline %s, here %s" % (key, recorded.get(key, "(not recorded)"), value)
            for key, value in current.items() if recorded.get(key) != value]
