#!/usr/bin/env python3
"""How many analyst sessions one host holds: N analytics-mcp processes at
once, each answering a query, through PgBouncer in transaction pooling,
against a cluster of max_connections = 50 (tests/pg.sh's); then, as the
control, the same sessions straight to PostgreSQL.

usage: python3 bench/sessions.py PGDIR BINARY [N [POOL]]
       (PGDIR from "sh tests/pg.sh start DIR"; N 500, POOL 20 by default)

Not part of make check: it starts N processes and takes a minute.  It
prints what sizes a deployment: the time for every session to answer,
the memory of one session (RSS and PSS, which divides shared pages among
their users), PostgreSQL's backends and the memory of one, PgBouncer's
memory, and how many sessions the cluster refuses without the pooler.
"""
import json
import os
import resource
import selectors
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "tests"))
from mcptest import (BINARY, DSN, RO_PASSWORD, Bouncer, psql,  # noqa: E402
                     wait_until)

N = int(sys.argv[3]) if len(sys.argv) > 3 else 500
POOL = int(sys.argv[4]) if len(sys.argv) > 4 else 20
QUERY = "SELECT count(*) AS n, max(pg_backend_pid()) AS pid FROM tickets.inc"


def request_lines(i):
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "bench", "version": "1"}}}
    ready = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "query", "arguments": {"sql": QUERY}}}
    return b"".join(json.dumps(m).encode() + b"\n"
                    for m in (init, ready, call))


def mem_kb(pid):
    """(RSS, PSS) of a process in kB."""
    rss = pss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def sessions(n, dsn, tag):
    """Start n sessions, each sending one query; returns (procs, answers
    {index: reply}, seconds until the last answer)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PG", "MCP_")) and k != "DATABASE_URL"}
    env["PGPASSWORD"] = RO_PASSWORD
    sel = selectors.DefaultSelector()
    procs, bufs, answers = [], {}, {}
    t0 = time.monotonic()
    for i in range(n):
        p = subprocess.Popen([BINARY, "--dsn", dsn, "--caller",
                              "%s-%d" % (tag, i), "--statement-timeout",
                              "120"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env)
        p.stdin.write(request_lines(i))
        p.stdin.flush()
        procs.append(p)
        bufs[i] = b""
        sel.register(p.stdout, selectors.EVENT_READ, i)
    deadline = time.monotonic() + 300
    while len(answers) < n and time.monotonic() < deadline:
        for key, _ in sel.select(1):
            i = key.data
            chunk = os.read(key.fileobj.fileno(), 1 << 16)
            if not chunk:
                sel.unregister(key.fileobj)
                answers.setdefault(i, None)
                continue
            bufs[i] += chunk
            for line in bufs[i].split(b"\n")[:-1]:
                msg = json.loads(line)
                if msg.get("id") == 2:
                    answers[i] = msg
                    sel.unregister(key.fileobj)
            bufs[i] = bufs[i].rsplit(b"\n", 1)[-1]
    return procs, answers, time.monotonic() - t0


def stop(procs):
    for p in procs:
        try:
            p.stdin.close()
        except OSError:
            pass
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


def backends():
    _, out, _ = psql("SELECT count(*) FROM pg_stat_activity "
                     "WHERE usename = 'analytics_ro'")
    return int(out)


def backend_mem():
    """Mean (RSS, PSS) in kB of analytics_ro's backends."""
    _, out, _ = psql("SELECT pid FROM pg_stat_activity "
                     "WHERE usename = 'analytics_ro'")
    mems = [mem_kb(int(x)) for x in out.split()]
    mems = [m for m in mems if m[0] > 0]
    if not mems:
        return 0, 0
    return (sum(m[0] for m in mems) // len(mems),
            sum(m[1] for m in mems) // len(mems))


def report(name, procs, answers, took):
    ok = [a for a in answers.values()
          if a is not None and not a["result"]["isError"]]
    errors = {}
    for a in answers.values():
        if a is None:
            text = "no answer"
        elif a["result"]["isError"]:
            text = a["result"]["content"][0]["text"][:90]
        else:
            continue
        errors[text] = errors.get(text, 0) + 1
    mems = [mem_kb(p.pid) for p in procs if p.poll() is None]
    alive = len(mems)
    print("%s: %d sessions, %d answered the query, %d errors, last answer "
          "after %.1f s, %d processes alive" %
          (name, len(procs), len(ok), len(procs) - len(ok), took, alive))
    for text, count in sorted(errors.items(), key=lambda x: -x[1])[:3]:
        print("  %d x %s" % (count, text))
    if mems:
        print("  one session: RSS %d kB, PSS %d kB (mean); all: PSS %.0f MB"
              % (sum(m[0] for m in mems) // alive,
                 sum(m[1] for m in mems) // alive,
                 sum(m[1] for m in mems) / 1024))
    return len(ok)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 3 * N + 64:
        sys.exit("RLIMIT_NOFILE %d is too low for %d sessions" % (hard, N))
    _, maxconn, _ = psql("SHOW max_connections")
    _, version, _ = psql("SHOW server_version")
    print("PostgreSQL %s, max_connections = %s; %d sessions; %d cores" %
          (version.split()[0], maxconn, N, os.cpu_count()))

    bouncer = Bouncer(pool_size=POOL, max_clients=N + 50)
    try:
        procs, answers, took = sessions(N, bouncer.dsn, "bench")
        peak_backends = backends()
        brss, bpss = backend_mem()
        prss, ppss = mem_kb(bouncer.proc.pid)
        ok = report("through PgBouncer (pool_size %d)" % POOL, procs,
                    answers, took)
        good = [a["result"]["structuredContent"] for a in answers.values()
                if a is not None and not a["result"]["isError"]]
        pids = {g["rows"][0][1] for g in good}
        ms = sorted(g["elapsed_ms"] for g in good)
        if ms:
            print("  a call's own time (elapsed_ms, waiting for a server "
                  "included): median %d ms, max %d ms" %
                  (ms[len(ms) // 2], ms[-1]))
        print("  PostgreSQL: %d backends for analytics_ro (the queries ran "
              "on %d); one backend: RSS %d kB, PSS %d kB" %
              (peak_backends, len(pids), brss, bpss))
        print("  PgBouncer: RSS %d kB, PSS %d kB" % (prss, ppss))
        stop(procs)
    finally:
        bouncer.stop()

    wait_until(lambda: backends() == 0, 10)
    direct = min(N, 2 * int(maxconn))
    procs, answers, took = sessions(direct, DSN, "direct")
    peak = backends()
    dok = report("straight to PostgreSQL", procs, answers, took)
    brss, bpss = backend_mem()
    print("  PostgreSQL: %d backends for analytics_ro; one backend: RSS %d "
          "kB, PSS %d kB" % (peak, brss, bpss))
    stop(procs)
    return 0 if ok == N and dok < direct else 1


if __name__ == "__main__":
    sys.exit(main())
