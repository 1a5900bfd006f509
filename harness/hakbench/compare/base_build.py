"""HAKMEM built at another git revision, for compare/gate --against.

The revision is checked out in a temporary git worktree under build/gate-base/, its allocator is built there
with the Makefile of that revision, and the library is kept as build/gate-base/<sha>/libhakmem.so, so that
later gates against the same revision reuse it; the worktree itself is removed again. Works in any full clone
(CI's included); a shallow clone lacks the history and is refused with a hint.
"""
import os
import shutil
import subprocess

from .. import meta
from ..allocators import REPO

BASE_DIR = os.path.join(REPO, "build", "gate-base")


class BaseBuildError(Exception):
    """The revision is unknown or its allocator does not build (the gate exits 2)."""


def _git(*args):
    return subprocess.run(["git", "-C", REPO] + list(args), capture_output=True, text=True, check=False)


def resolve(rev):
    """The full sha of rev; BaseBuildError when it names no commit of this clone."""
    sha = meta.commit_sha(rev)
    if not sha:
        raise BaseBuildError("%s names no commit of this clone (in a shallow clone: git fetch --unshallow)" % rev)
    return sha


def library(rev, log):
    """(sha, path of libhakmem.so built at rev); log(text) says when a build starts."""
    sha = resolve(rev)
    lib = os.path.join(BASE_DIR, sha[:12], "libhakmem.so")
    if os.path.exists(lib):
        return sha, lib
    src = os.path.join(BASE_DIR, sha[:12] + ".src")
    _git("worktree", "prune")  # forget worktrees whose directory a `make clean` removed
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(BASE_DIR, exist_ok=True)
    added = _git("worktree", "add", "--detach", "--force", src, sha)
    if added.returncode != 0:
        raise BaseBuildError("git worktree add of %s failed: %s" % (sha[:12], added.stderr.strip()))
    try:
        log("building the allocator at %s (in %s)" % (sha[:12], os.path.relpath(src, REPO)))
        built = subprocess.run(["make", "-s", "-C", src, "allocator"], capture_output=True, text=True, check=False)
        built_lib = os.path.join(src, "build", "libhakmem.so")
        if built.returncode != 0 or not os.path.exists(built_lib):
            raise BaseBuildError("the allocator at %s does not build:\n%s"
                                 % (sha[:12], "\n".join(built.stderr.strip().splitlines()[-10:])))
        os.makedirs(os.path.dirname(lib), exist_ok=True)
        shutil.copy2(built_lib, lib + ".tmp")
        os.replace(lib + ".tmp", lib)
    finally:
        _git("worktree", "remove", "--force", src)
    return sha, lib
