"""What a baseline was measured on: the machine (for ops/s ratios) and the toolchain (for instruction counts)."""
import os
import platform

from measure import meta


def description():
    """CPU model, cores and kernel: what decides how two allocators' speeds compare."""
    return {"cpu": meta.cpu_model(), "cores": str(os.cpu_count()), "kernel": platform.release()}


def toolchain():
    """Compiler, C library and valgrind versions: what decides the instruction count of a run."""
    return {"gcc": meta.compiler(),
            "glibc": os.confstr("CS_GNU_LIBC_VERSION") or "unknown",
            "valgrind": meta.tool_version(["valgrind", "--version"])}


def differences(recorded, current):
    """Lines 'key: recorded X, here Y' for every key of current whose recorded value differs."""
    return ["%s: baseline %s, here %s" % (key, recorded.get(key, "(not recorded)"), value)
            for key, value in current.items() if recorded.get(key) != value]
