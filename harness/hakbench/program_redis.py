"""The redis program workload: redis-server runs under the allocator on a unix socket in its run's scratch
directory (so two overlapping runs never share a socket or a port: TCP is off), redis-benchmark loads it
from outside the allocator, a fixed command script checks what the server answers, and SHUTDOWN NOSAVE stops
it. Throughput is redis-benchmark's requests per second over all its tests."""
import csv
import io
import os
import subprocess
import time

from .proc import exited

SOCKET = "redis.sock"
SERVER = ["redis-server", "--port", "0", "--unixsocket", SOCKET, "--unixsocketperm", "700", "--save", "",
          "--appendonly", "no", "--dir", ".", "--loglevel", "warning", "--daemonize", "no", "--io-threads", "1"]
TESTS = "set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100"
READY_POLL_S = 0.02


def check_script(keys=500, seed=42):
    """redis-cli input whose replies test the server's memory: values of 1 B to 2 KiB, lists, hashes and
    sorted sets written, grown, partly deleted and read back (in the check: prefix, apart from the benchmark's)."""
    state = seed
    lines = []
    for i in range(keys):
        state = (state * 1103515245 + 12345) % 2147483648
        size = 1 + state % 2048
        value = ("%08x" % state) * (size // 8 + 1)
        lines.append("SET check:%d %s" % (i, value[:size]))
        lines.append("RPUSH check:list:%d %s" % (i % 40, value[:1 + i % 300]))
        lines.append("HSET check:hash:%d f%d %s" % (i % 25, i, value[:1 + size % 97]))
        lines.append("ZADD check:zset:%d %d m%d" % (i % 10, state % 100000, i))
        if i % 3 == 0:
            lines.append("APPEND check:%d -%s" % (i // 2, value[:1 + i % 512]))
        if i % 7 == 0:
            lines.append("DEL check:%d" % (i // 3))
    lines += ["GET check:%d" % i for i in range(keys)]
    lines += ["LRANGE check:list:%d 0 -1" % i for i in range(40)]
    # HMGET in a fixed field order: HGETALL's order follows the hash seed a server picks at random
    lines += ["HMGET check:hash:%d %s" % (h, " ".join("f%d" % i for i in range(h, keys, 25))) for h in range(25)]
    lines += ["ZRANGE check:zset:%d 0 -1 WITHSCORES" % i for i in range(10)]
    return "\n".join(lines) + "\n"


def parse_benchmark_csv(text):
    """(requests, seconds) from redis-benchmark --csv: the requests of every test over the time they took,
    each test's time being requests / its rps. None when no test line is there."""
    rows = [r for r in csv.reader(io.StringIO(text)) if len(r) >= 2 and r[0] != "test"]
    try:
        rates = [float(r[1]) for r in rows]
    except ValueError:
        return None
    return rates or None


class RedisClient:
    def __init__(self, requests, clients=20, pipeline=16, value_size=200, keyspace=100000):
        self.requests = requests
        self.bench = ["redis-benchmark", "-n", str(requests), "-c", str(clients), "-P", str(pipeline),
                      "-d", str(value_size), "-r", str(keyspace), "-t", TESTS, "--csv"]

    def params(self):
        return " ".join(self.bench[1:-1])

    def work(self, stdout, client_result):
        rates = parse_benchmark_csv(client_result[1]) if client_result else None
        if not rates:
            return None
        return self.requests * len(rates), sum(self.requests / r for r in rates)

    def run(self, pid, scratch, env, timeout):
        """Drive the server started as pid's child: wait until it answers, benchmark, check, shut down.
        (checked text, redis-benchmark's output); a failure is left for the server's status to tell (a
        crashed server exits by a signal, a hung one is killed at the timeout), with its cause in the text."""
        sock = os.path.join(scratch, SOCKET)
        client_env = {k: v for k, v in env.items() if k != "LD_PRELOAD" and not k.startswith("HAKMEM_")}
        deadline = time.monotonic() + (timeout or 120)

        def cli(*args, stdin=None):
            left = max(deadline - time.monotonic(), 0.1)
            return subprocess.run(["redis-cli", "-s", sock] + list(args), input=stdin, capture_output=True,
                                  text=True, env=client_env, timeout=left)

        while not (os.path.exists(sock) and cli("PING").stdout.strip() == "PONG"):
            if exited(pid):
                return "the server exited before answering", ""
            if time.monotonic() > deadline:
                return "the server did not answer before the timeout", ""
            time.sleep(READY_POLL_S)
        try:
            bench = subprocess.run(self.bench + ["-s", sock], capture_output=True, text=True, env=client_env,
                                   timeout=max(deadline - time.monotonic(), 0.1))
            checked = cli(stdin=check_script()).stdout
        except subprocess.TimeoutExpired:
            return "the client timed out", ""
        finally:
            try:
                cli("SHUTDOWN", "NOSAVE")
            except subprocess.TimeoutExpired:
                pass  # the run's timeout kills the server
        return checked, bench.stdout
