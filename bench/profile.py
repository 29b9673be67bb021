#!/usr/bin/env python3
"""Where a query's time goes, in figures that a busy machine does not
blur: the instructions one `query` of N rows costs the server
(valgrind --tool=callgrind, exact), or a perf profile of many.

usage: profile.py PGDIR BINARY ir   [ROWS]   instructions per query
       profile.py PGDIR BINARY perf [ROWS]   perf record; prints the top

PGDIR is a cluster from tests/pg.sh with bench/table.sql loaded:
    sh tests/pg.sh start /tmp/p && sh tests/pg.sh psql /tmp/p -f bench/table.sql
Not part of make bench (callgrind is slow); bench/README.md says what it
found.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Child  # noqa: E402


def env_of(pgdir):
    with open(os.path.join(pgdir, "port")) as f:
        port = f.read().strip()
    return "host=%s port=%s dbname=tracksolid_db user=analytics_ro" % (
        os.path.abspath(pgdir), port)


def session(argv, rows, queries):
    """Start argv, run `queries` queries of `rows` rows after a warm-up
    one; the child is stopped before returning."""
    c = Child(argv)
    c.initialize()
    sql = "SELECT * FROM bench.trips ORDER BY id LIMIT %d" % rows
    for _ in range(queries + 1):
        _, line = c.query(sql, max_rows=rows)
        if b'"isError":false' not in line:
            raise RuntimeError(line[:300])
    c.stop(120)


def ir(dsn, binary, rows):
    """Instructions (callgrind's Ir) of one query: the difference between
    a session of three queries and one of one, halved."""
    total = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in (1, 3):
            out = os.path.join(tmp, "cg.%d" % k)
            session(["valgrind", "--tool=callgrind", "--callgrind-out-file="
                     + out, binary, "--dsn", dsn, "--caller", "profile",
                     "--max-bytes", str(8 << 20), "--max-memory", "65536"],
                    rows, k)
            with open(out) as f:
                m = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
            total.append(int(m.group(1)))
            if k == 3:
                p = subprocess.run(["callgrind_annotate", out],
                                   stdout=subprocess.PIPE, text=True)
                top = [line for line in p.stdout.splitlines()
                       if re.match(r"\s*[\d,]+ \(", line)][:16]
    print("%s: %.1f M instructions per query of %d rows (%.0f per row)"
          % (binary, (total[1] - total[0]) / 2e6, rows,
             (total[1] - total[0]) / 2 / rows))
    print("\n".join(top))


def perf(dsn, binary, rows):
    c = Child([binary, "--dsn", dsn, "--caller", "profile", "--max-bytes",
               str(8 << 20)])
    c.initialize()
    sql = "SELECT * FROM bench.trips ORDER BY id LIMIT %d" % rows
    c.query(sql, max_rows=rows)
    data = tempfile.mktemp(prefix="perf-", dir="/tmp")
    rec = subprocess.Popen(["perf", "record", "-q", "-F", "5000", "-g",
                            "-o", data, "-p", str(c.pid)])
    time.sleep(0.5)
    for _ in range(30):
        c.query(sql, max_rows=rows)
    rec.send_signal(2)
    rec.wait(60)
    c.stop()
    p = subprocess.run(["perf", "report", "-i", data, "--no-children",
                        "--sort", "dso,sym", "-g", "none"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    os.unlink(data)
    print("\n".join([line for line in p.stdout.splitlines()
                     if "%" in line and not line.startswith("#")][:25]))


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[3] not in ("ir", "perf"):
        sys.exit(__doc__)
    rows = int(sys.argv[4]) if len(sys.argv) == 5 else 10000
    fn = ir if sys.argv[3] == "ir" else perf
    fn(env_of(sys.argv[1]), os.path.abspath(sys.argv[2]), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
