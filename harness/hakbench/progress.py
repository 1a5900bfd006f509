"""Progress lines on stderr: which run, i of N, elapsed time and an estimate of the time left."""
import sys
import time

# Until a kind of run has been timed, its cost is guessed relative to a timed run (cachegrind runs the
# tiny profile under a ~50x simulation: about as long as a full-size run, longer than a quick one).
GUESS = {"timed": 1.0, "strace": 1.1, "perf": 1.0, "cachegrind": 1.5}


def _clock(seconds):
    seconds = int(round(seconds))
    return "%d:%02d" % (seconds // 60, seconds % 60) if seconds < 3600 else \
        "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


class Progress:
    """Counts finished runs of each kind; the ETA is the remaining runs of each kind times the mean
    duration of that kind so far (guessed from timed runs for kinds not yet seen)."""

    def __init__(self, planned, stream=sys.stderr):
        self.planned = dict(planned)   # kind -> number of runs
        self.done = {k: 0 for k in planned}
        self.spent = {k: 0.0 for k in planned}
        self.start = time.monotonic()
        self.stream = stream

    @property
    def total(self):
        return sum(self.planned.values())

    def _mean(self, kind):
        if self.done[kind]:
            return self.spent[kind] / self.done[kind]
        if self.done.get("timed"):
            return self.spent["timed"] / self.done["timed"] * GUESS.get(kind, 1.0)
        return None

    def eta(self):
        left = 0.0
        for kind, planned in self.planned.items():
            if planned > self.done[kind]:
                mean = self._mean(kind)
                if mean is None:
                    return None
                left += (planned - self.done[kind]) * mean
        return left

    def add(self, kind, runs):
        """More runs of kind than planned (e.g. another rep)."""
        self.planned[kind] += runs

    def finished(self, kind, seconds, what, outcome):
        """Record one finished run of kind that took seconds and print its line."""
        self.done[kind] += 1
        self.spent[kind] += seconds
        eta = self.eta()
        print("[%d/%d %s elapsed, ETA %s] %s: %s" % (
            sum(self.done.values()), self.total, _clock(time.monotonic() - self.start),
            _clock(eta) if eta is not None else "?", what, outcome), file=self.stream, flush=True)
