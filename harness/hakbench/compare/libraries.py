"""The two libraries compare/gate sets against each other: are they the same machine code, and fresh copies of
them for every round.

Two builds of unchanged sources differ only in their debug info (which names the build directory) and build
id; same_code() compares what the loader maps. CI once measured two such builds of one commit 20% apart on
random_mixed, 45 pairs and every one of them (gate --against HEAD~1 on a commit that did not touch the
allocator): some property of each library's file or path, fixed for the whole measurement, made one of two
identical codes the slow one. RoundCopies takes away what is fixed: every round runs new copies of both
libraries, at paths of one length, written in a random order, so that a file's placement or its path's length
no longer sides with one library for the whole measurement but varies from pair to pair, where the pairs'
interval sees it.
"""
import os
import random
import shutil
import subprocess
import tempfile

from ..allocators import REPO

COPIES_DIR = os.path.join(REPO, "build", "gate-run")


def _loaded_part(path, out):
    """Write to out the library at path without debug info, symbols and build id; False when objcopy fails."""
    done = subprocess.run(["objcopy", "--strip-all", "--remove-section=.note.gnu.build-id", path, out],
                          capture_output=True, check=False)
    return done.returncode == 0


def same_code(path_a, path_b):
    """True when the two libraries (None: nothing preloaded) would run the same machine code: the same path,
    or files equal once debug info, symbols and build id are stripped. False when in doubt (objcopy fails)."""
    if path_a is None or path_b is None:
        return path_a is None and path_b is None
    if os.path.realpath(path_a) == os.path.realpath(path_b):
        return True
    with tempfile.TemporaryDirectory(prefix="hakbench-same-code-") as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        if not (_loaded_part(path_a, a) and _loaded_part(path_b, b)):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()


class RoundCopies:
    """Fresh copies of libraries for each round: copy(round_no) gives the paths of that round's copies, one per
    library and all of one length, made in an order drawn from round_no; the round before's copies are removed
    only after the new ones exist, so that the new files do not simply take over the old ones' pages.
    close() (or leaving the with block) removes them all."""

    def __init__(self, paths):
        self.paths = list(paths)
        os.makedirs(COPIES_DIR, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="%d-" % os.getpid(), dir=COPIES_DIR)
        self.current = None

    def copy(self, round_no):
        round_dir = os.path.join(self.dir, "r%d" % round_no)
        copies = [os.path.join(round_dir, str(i), "lib.so") for i in range(len(self.paths))]
        order = list(range(len(self.paths)))
        random.Random(round_no).shuffle(order)
        for i in order:
            os.makedirs(os.path.dirname(copies[i]))
            shutil.copyfile(self.paths[i], copies[i])
        if self.current:
            shutil.rmtree(self.current, ignore_errors=True)
        self.current = round_dir
        return copies

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
