#!/usr/bin/env python3
"""Before and after on a shared machine: two builds answer the same
query in turns (A, B, A, B, ...), each in its own warm session, so that
load from elsewhere falls on both alike.

usage: ab.py PGDIR BINARY_A BINARY_B [ROWS [ROUNDS]]
       ab.py PGDIR BINARY_A BINARY_B cold [ROUNDS]

PGDIR is a cluster from tests/pg.sh with bench/table.sql loaded (see
profile.py).  Prints, per build, the median time of a query through the
pipe, its interquartile range and the server's CPU per query; with
"cold", the time from spawn to the initialize reply and to the reply of
a first query (SELECT 1) of a new process each round.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Child, cold_call, cpu_ms, spread  # noqa: E402
from profile import env_of  # noqa: E402


def cold(dsn, binaries, rounds):
    """Spawn each binary in turn: spawn to the initialize reply, and to
    the reply of a first query."""
    init, first = [[] for _ in binaries], [[] for _ in binaries]
    for _ in range(rounds):
        for i, binary in enumerate(binaries):
            t_init, t_first = cold_call(Child([os.path.abspath(binary),
                                              "--dsn", dsn, "--caller",
                                              "ab"]))
            init[i].append(t_init)
            first[i].append(t_first)
    for i, binary in enumerate(binaries):
        a, b = spread(init[i]), spread(first[i])
        print("%s: initialize reply %.2f ms [%.2f-%.2f], first query reply "
              "%.2f ms [%.2f-%.2f] (%d rounds)" % (
                  binary, a["median"], a["p25"], a["p75"], b["median"],
                  b["p25"], b["p75"], rounds))
    return 0


def main():
    if len(sys.argv) not in (4, 5, 6):
        sys.exit(__doc__)
    dsn = env_of(sys.argv[1])
    if len(sys.argv) > 4 and sys.argv[4] == "cold":
        return cold(dsn, sys.argv[2:4],
                    int(sys.argv[5]) if len(sys.argv) > 5 else 50)
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    sql = "SELECT * FROM bench.trips ORDER BY id LIMIT %d" % rows
    kids, times, cpu = [], [], []
    for binary in sys.argv[2:4]:
        c = Child([os.path.abspath(binary), "--dsn", dsn, "--caller", "ab",
                   "--max-bytes", str(8 << 20)])
        c.initialize()
        c.query(sql, max_rows=rows)
        kids.append(c)
        times.append([])
        cpu.append(0.0)
    for _ in range(rounds):
        for i, c in enumerate(kids):
            before = cpu_ms(c.pid)
            times[i].append(c.query(sql, max_rows=rows)[0] * 1000)
            cpu[i] += cpu_ms(c.pid) - before
    for i, c in enumerate(kids):
        s = spread(times[i])
        print("%s: %d rows, median %.2f ms [%.2f-%.2f], CPU %.2f ms per "
              "query (%d rounds)" % (sys.argv[2 + i], rows, s["median"],
                                     s["p25"], s["p75"], cpu[i] / rounds,
                                     rounds))
        c.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
