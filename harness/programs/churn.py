"""Allocation churn for the python3 program workload: large dicts, lists and strings built and dropped,
generation after generation. usage: python3 churn.py ROUNDS. Prints a checksum of what it built."""
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
state = 42


def rand(n):
    """A small LCG: the same numbers on every machine and Python version."""
    global state
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n


checksum = 0
for _ in range(rounds):
    words = [chr(97 + rand(26)) * (1 + rand(40)) + str(i) for i in range(20000)]
    records = {}
    for i in range(20000):
        records["key-%d-%s" % (i, words[rand(len(words))][:6])] = {
            "id": i, "name": words[rand(len(words))], "tags": [words[rand(len(words))][:8] for _ in range(rand(8))],
            "blob": "x" * (64 + rand(2000)),
        }
    by_name = {}
    for key, rec in records.items():
        by_name.setdefault(rec["name"][:3], []).append(key)
    ordered = sorted(records.values(), key=lambda r: (r["name"], r["id"]))
    text = ";".join(r["name"] + ",".join(r["tags"]) for r in ordered[::7])
    replaced = text.replace("aa", "2").upper()
    for i in range(0, len(replaced), 97):
        checksum = (checksum * 31 + ord(replaced[i])) % 1000000007
    checksum = (checksum + len(by_name) * 7 + sum(len(v) for v in by_name.values())) % 1000000007
    del records, by_name, ordered, words
print("rounds=%d checksum=%d" % (rounds, checksum))
