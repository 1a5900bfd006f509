"""The built-in program suite (`--workloads programs`): Debian programs on inputs this module generates
(deterministic, seeded; nothing downloaded) or scripts of harness/programs/. Sizes: "full" ~1-5 s per run on
glibc on a quiet 2-core machine, "quick" ~0.1-0.5 s ("tiny" = quick: programs have no cachegrind runs)."""
import os
import random

from .allocators import REPO
from .program_redis import SERVER, RedisClient
from .programs import Program

SCRIPTS = os.path.join(REPO, "harness", "programs")
PYTHON = "/usr/bin/python3"
SEED = 42


def _size(sizes, profile):
    return sizes["quick" if profile == "tiny" else profile]


def _write_once(inputs, name, text):
    """Write a generated input unless a previous preparation of this directory already did."""
    path = os.path.join(inputs, name)
    if not os.path.exists(path):
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return path


# ---- generated inputs ---------------------------------------------------------------------------------

def smt_problems(count, variables, seed=SEED):
    """count pairs of problems, separated by (reset): random 3-SAT near the satisfiability threshold
    (4.26 clauses per variable) and a bounded linear integer problem."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        out += ["(set-logic QF_UF)"] + ["(declare-const p%d Bool)" % i for i in range(variables)]
        for _ in range(int(variables * 4.26)):
            lits = [("p%d" if rng.random() < 0.5 else "(not p%d)") % rng.randrange(variables) for _ in range(3)]
            out.append("(assert (or %s))" % " ".join(lits))
        out += ["(check-sat)", "(reset)", "(set-logic QF_LIA)"]
        out += ["(declare-const x%d Int)" % i for i in range(14)]
        out += ["(assert (and (>= x%d -50) (<= x%d 50)))" % (i, i) for i in range(14)]
        for _ in range(18):
            terms = " ".join("(* %d x%d)" % (rng.randint(-9, 9), rng.randrange(14)) for _ in range(4))
            relation = rng.choice(["<=", ">=", "="] if rng.random() < 0.2 else ["<=", ">="])
            out.append("(assert (%s (+ %s) %d))" % (relation, terms, rng.randint(-40, 40)))
        out += ["(check-sat)", "(reset)"]
    return "\n".join(out) + "\n"


def postscript(pages, seed=SEED):
    """A multi-page document: filled and stroked Bezier paths in random colours, text, a rotated title."""
    rng = random.Random(seed)
    out = ["%!PS-Adobe-3.0", "%%%%Pages: %d" % pages, "%%EndComments", "/Helvetica findfont 10 scalefont setfont"]
    for page in range(1, pages + 1):
        out.append("%%%%Page: %d %d" % (page, page))
        for _ in range(150):
            out.append("%.3f %.3f %.3f setrgbcolor newpath %d %d moveto" % (
                rng.random(), rng.random(), rng.random(), rng.randint(0, 600), rng.randint(0, 800)))
            out.append(" ".join("%d %d %d %d %d %d curveto" % tuple(rng.randint(0, 600) for _ in range(6))
                                for _ in range(3)))
            out.append("closepath " + rng.choice(["fill", "stroke", "gsave 0.5 setgray fill grestore stroke"]))
        for _ in range(40):
            out.append("%d %d moveto (%s) show" % (rng.randint(0, 550), rng.randint(0, 780),
                                                   "".join(rng.choice("abcdefghij klmnop") for _ in range(40))))
        out.append("gsave %d %d translate %d rotate 0 0 moveto /Times-Roman findfont 36 scalefont setfont "
                   "(Page %d) show grestore showpage" % (rng.randint(50, 400), rng.randint(50, 700),
                                                          rng.randint(0, 360), page))
    return "\n".join(out + ["%%EOF"]) + "\n"


def sql_workload(rows, seed=SEED):
    """Two tables filled in one transaction, three indexes, joins and aggregates, an update, a delete, a
    recursive query and a VACUUM; every query's result is printed (and checked)."""
    rng = random.Random(seed)
    customers = max(rows // 10, 10)
    cities = ["city%02d" % i for i in range(40)]
    out = ["CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT, note TEXT);",
           "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, item TEXT, qty INTEGER, price REAL);",
           "BEGIN;"]
    for i in range(customers):
        out.append("INSERT INTO customers VALUES(%d,'cust%06d','%s','%s');" % (
            i, rng.randrange(10 ** 6), rng.choice(cities), "n" * rng.randint(0, 200)))
    for i in range(rows):
        out.append("INSERT INTO orders VALUES(%d,%d,'item-%d',%d,%.2f);" % (
            i, rng.randrange(customers), rng.randrange(5000), rng.randint(1, 20), rng.uniform(1, 500)))
    out += ["COMMIT;",
            "CREATE INDEX orders_customer ON orders(customer);",
            "CREATE INDEX orders_item ON orders(item, qty);",
            "CREATE INDEX customers_city ON customers(city);",
            "SELECT c.city, count(*), round(sum(o.qty * o.price), 2) FROM orders o JOIN customers c "
            "ON c.id = o.customer GROUP BY c.city ORDER BY c.city;",
            "SELECT item, sum(qty) AS n FROM orders GROUP BY item ORDER BY n DESC, item LIMIT 20;",
            "SELECT c.name, group_concat(o.item, '|') FROM customers c JOIN orders o ON o.customer = c.id "
            "WHERE c.id % 97 = 0 GROUP BY c.id ORDER BY c.id;",
            "UPDATE orders SET qty = qty + 1 WHERE item LIKE 'item-1%';",
            "DELETE FROM orders WHERE id % 3 = 0;",
            "SELECT count(*), sum(qty), round(avg(price), 4) FROM orders;",
            "SELECT length(group_concat(upper(note) || name, '')) FROM customers GROUP BY city ORDER BY city;",
            "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < %d) "
            "SELECT count(*), sum(length(printf('%%08d-%%s', x, hex(x)))) FROM r;" % (rows * 2),
            "VACUUM;"]
    return "\n".join(out) + "\n"


def c_source(functions, seed=SEED):
    """C functions with 16-way switches in loops, each calling an earlier one: work for gcc's optimiser."""
    rng = random.Random(seed)
    ops = ["acc += v[i] * %d;", "acc ^= (v[i] << (%d & 15));", "acc -= r->a * %d;",
           "r->c += acc / (double)(%d + 1);", "if (r->next) r = r->next; acc += %d;",
           "acc = (acc * 31 + r->name[i & 15]) %% (%d + 7);"]
    out = ["/* generated by harness/hakbench/program_suite.py */",
           "struct rec { int a, b; double c; struct rec *next; char name[16]; };"]
    for f in range(functions):
        out += ["int f%d(struct rec *r, int n, const int *v) {" % f, "  int acc = %d;" % rng.randint(0, 99),
                "  for (int i = 0; i < n; i++) {", "    switch ((v[i] + acc) & 15) {"]
        out += ["    case %d: %s break;" % (c, rng.choice(ops) % rng.randint(1, 50)) for c in range(16)]
        out += ["    }", "  }"]
        if f:
            out.append("  if (n > 1 && acc %% 3 == 0) acc += f%d(r, n / 2, v + 1);" % rng.randrange(f))
        out += ["  return acc;", "}"]
    return "\n".join(out) + "\n"


def text_data(mib, seed=SEED):
    """mib MiB of text-like lines (words from a 5000-word vocabulary, and numbers): compressible as logs are."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("etaoinshrdlcumwfgypbvkjxqz") for _ in range(rng.randint(2, 10)))
             for _ in range(5000)]
    out, size = [], 0
    while size < mib << 20:
        line = " ".join(rng.choice(words) for _ in range(12)) + " %d\n" % rng.randrange(10 ** 9)
        out.append(line)
        size += len(line)
    return "".join(out)


# ---- the suite ----------------------------------------------------------------------------------------

def _generated(filename, generator, sizes):
    """prepare() writing generator(*size) to inputs/filename."""
    def prepare(inputs, profile):
        size = _size(sizes, profile)
        _write_once(inputs, filename, generator(*size) if isinstance(size, tuple) else generator(size))
    return prepare


def _script(name, interpreter, script, rounds, package, env=None):
    return Program(name, lambda inputs, profile: [interpreter, os.path.join(SCRIPTS, script),
                                                                   str(_size(rounds, profile))],
                   params=lambda profile: "%s %s" % (script, _size(rounds, profile)), package=package, env=env,
                   binaries=[interpreter])


Z3 = {"full": (30, 160), "quick": (4, 110)}
GS = {"full": 45, "quick": 5}
SQLITE = {"full": 250000, "quick": 15000}
GCC = {"full": 100, "quick": 8}
XZ = {"full": 8, "quick": 1}
REDIS = {"full": 30000, "quick": 3000}
LUA, RUBY, PY = {"full": 20, "quick": 2}, {"full": 15, "quick": 2}, {"full": 15, "quick": 2}
GS_ARGS = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=ppmraw", "-r72", "-sOutputFile=page-%03d.ppm"]
GCC_ARGS = ["gcc", "-O2", "-g0", "-frandom-seed=1", "-c", "-o", "generated.o"]
XZ_ARGS = ["xz", "-T2", "-2", "--block-size=1MiB"]


def _redis_client(profile):
    return RedisClient(_size(REDIS, profile))


def suite():
    """The built-in programs, in report order."""
    return [
        Program("z3", lambda inputs, profile: ["z3", os.path.join(inputs, "problems.smt2")], package="z3",
                prepare=_generated("problems.smt2", smt_problems, Z3), binaries=["z3"],
                params=lambda profile: "%d SAT + %d LIA problems, 3-SAT with %d variables" % (
                    _size(Z3, profile)[0], _size(Z3, profile)[0], _size(Z3, profile)[1])),
        Program("gs", lambda inputs, profile: GS_ARGS + [os.path.join(inputs, "document.ps")],
                package="ghostscript", prepare=_generated("document.ps", postscript, GS), binaries=["gs"],
                outputs=["page-*.ppm"],
                params=lambda profile: "%d pages, ppmraw 72 dpi" % _size(GS, profile)),
        Program("redis", lambda inputs, profile: list(SERVER), package="redis-server redis-tools",
                client=_redis_client, unit="request", own_allocator=True,
                params=lambda profile: "server on a unix socket; redis-benchmark " + _redis_client(profile).params(),
                binaries=["redis-server", "redis-benchmark", "redis-cli"]),
        _script("lua", "lua5.4", "churn.lua", LUA, "lua5.4"),
        _script("ruby", "ruby", "churn.rb", RUBY, "ruby"),
        Program("sqlite", lambda inputs, profile: ["sqlite3", ":memory:",
                                                   ".read " + os.path.join(inputs, "workload.sql")],
                package="sqlite3", prepare=_generated("workload.sql", sql_workload, SQLITE), binaries=["sqlite3"],
                params=lambda profile: "%d orders, in memory" % _size(SQLITE, profile)),
        _script("python", PYTHON, "churn.py", PY, "python3", env={"PYTHONHASHSEED": "0"}),
        Program("gcc", lambda inputs, profile: GCC_ARGS + [os.path.join(inputs, "generated.c")], package="gcc",
                prepare=_generated("generated.c", c_source, GCC), binaries=["gcc"], outputs=["generated.o"],
                params=lambda profile: "-O2 -c, %d generated functions" % _size(GCC, profile)),
        Program("xz", lambda inputs, profile: ["sh", "-c", 'exec "$@" > data.xz', "sh"] + XZ_ARGS
                + ["-c", os.path.join(inputs, "data.txt")], package="xz-utils", threads=2,
                prepare=_generated("data.txt", text_data, XZ), binaries=["xz"], outputs=["data.xz"],
                params=lambda profile: "-T2 -2 --block-size=1MiB, %d MiB of text" % _size(XZ, profile)),
    ]


NAMES = [p.name for p in suite()]
