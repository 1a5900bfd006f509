"""The allocators a run can compare, and how each is preloaded.

system = glibc malloc (no preload). Peers are Debian's shared libraries, found through ldconfig;
hakmem is this repository's build. Any other library can be added as NAME=/path/to/lib.so.
"""
import dataclasses
import os
import shutil
import subprocess

from .proc import query

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAKMEM_LIB = os.path.join(REPO, "build", "libhakmem.so")

# name -> (soname found through ldconfig, Debian package that ships it)
PEERS = {
    "jemalloc": ("libjemalloc.so.2", "libjemalloc2"),
    "mimalloc": ("libmimalloc.so.2", "libmimalloc2.0"),
    "tcmalloc": ("libtcmalloc_minimal.so.4", "libtcmalloc-minimal4"),
}
DEFAULT_ORDER = ["system", "jemalloc", "mimalloc", "tcmalloc", "hakmem"]


@dataclasses.dataclass(eq=False)  # compared and hashed by identity, as before
class Allocator:
    """One allocator of the matrix. path is None for system malloc (nothing preloaded)."""
    name: str
    path: str = None
    package: str = None
    available: bool = True
    reason: str = ""

    def env(self, base_env, hakmem_env=None):
        """The environment a run of this allocator gets: LD_PRELOAD set (or removed for system),
        and the HAKMEM_* knobs of hakmem_env for hakmem only."""
        env = {k: v for k, v in base_env.items() if k != "LD_PRELOAD"}
        if self.path:
            env["LD_PRELOAD"] = self.path
        if self.name == "hakmem" and hakmem_env:
            env.update(hakmem_env)
        return env


def ldconfig_lookup(soname):
    """Absolute path of a shared library known to the dynamic linker, or None."""
    for line in query(["/sbin/ldconfig", "-p"]).splitlines():
        name, _, rest = line.strip().partition(" ")
        if name == soname and "=>" in rest:
            path = rest.split("=>", 1)[1].strip()
            if os.path.exists(path):
                return path
    return None


def can_apt_install():
    return os.geteuid() == 0 and os.path.exists("/etc/debian_version") and shutil.which("apt-get")


def apt_install(package, log):
    log("installing %s with apt-get (it is missing)" % package)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    rc = subprocess.run(["apt-get", "install", "-y", "-qq", package], env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).returncode
    if rc != 0:
        log("apt-get install %s failed (exit %d)" % (package, rc))
    return rc == 0


def resolve(names, extra=None, install=True, log=print):
    """Allocator objects for names (in that order) plus extra {name: path}.
    A missing peer is installed with apt-get when possible; what stays missing has available=False
    and a one-line reason."""
    extra = extra or {}
    result = []
    for name in names:
        if name in extra:
            continue
        if name == "system":
            result.append(Allocator("system", None, "libc6"))
        elif name == "hakmem":
            ok = os.path.exists(HAKMEM_LIB)
            result.append(Allocator("hakmem", HAKMEM_LIB, None, ok,
                                    "" if ok else "%s not built (run make)" % HAKMEM_LIB))
        elif name in PEERS:
            soname, package = PEERS[name]
            path = ldconfig_lookup(soname)
            if path is None and install and can_apt_install() and apt_install(package, log):
                path = ldconfig_lookup(soname)
            if path:
                result.append(Allocator(name, path, package))
            else:
                why = "%s not found by ldconfig (Debian package %s)" % (soname, package)
                result.append(Allocator(name, None, package, False, why))
        else:
            raise ValueError("unknown allocator %r (known: %s; add others as NAME=/path/lib.so)"
                             % (name, ", ".join(DEFAULT_ORDER)))
    for name, path in extra.items():
        ok = os.path.exists(path)
        result.append(Allocator(name, os.path.abspath(path), None, ok, "" if ok else "%s does not exist" % path))
    return result
