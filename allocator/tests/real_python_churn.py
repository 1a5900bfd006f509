#!/usr/bin/python3
"""Builds and drops large dicts, lists, strings and buffers, and prints a
checksum of everything built, so a run under LD_PRELOAD=libhakmem.so can be
compared with a run on the system allocator."""
import hashlib
import sys


def round_checksum(r, n):
    table = {f"key-{r}-{i}": [i] * (i % 7) for i in range(n)}
    words = [str(i) * (i % 13) for i in range(n)]
    text = "-".join(words)
    buffers = [bytearray((i * 31) % 251 for _ in range(1)) * (1000 + 997 * i) for i in range(300)]
    h = hashlib.sha256()
    h.update(text.encode())
    h.update(repr(sorted(table.items())[:: n // 100]).encode())
    for b in buffers:
        h.update(b)
    # Shrink and regrow in place: realloc through the tiers.
    for w in range(0, len(words), 1000):
        words[w] = words[w] * 50
    h.update("".join(words[::1000]).encode())
    del table, words, text, buffers
    return h.hexdigest()


def main():
    if len(sys.argv) != 1:
        print("usage: real_python_churn.py (no arguments)", file=sys.stderr)
        sys.exit(2)
    total = hashlib.sha256()
    for r in range(5):
        total.update(round_checksum(r, 150000).encode())
    print(total.hexdigest())


main()
