"""Sessions at scale: many analytics-mcp processes at once, each with its
own PostgreSQL backend, each running a small query.  Reports the time to
bring them all up (spawn to the last query's reply) and the private
memory (USS) of the servers and of their backends, idle afterwards.
"""
import json
import shutil
import time

from benchlib import Child, proc_memory, spread

REPEATS = 3


def small_query(i):
    return ("SELECT count(*) AS trips, round(avg(fare), 2) AS avg_fare "
            "FROM bench.trips WHERE vehicle_id = %d" % (1 + i % 500))


def bring_up(b, k):
    """k sessions: spawn, initialize, one query each.  Returns the
    children (still running) and the seconds until the last reply."""
    t0 = time.perf_counter()
    kids = []
    try:
        for i in range(k):
            c = Child([b.binary, "--dsn", b.dsn(), "--caller",
                       "bench%d" % i], env=b.env)
            kids.append(c)
            c.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"protocolVersion": "2025-06-18",
                               "capabilities": {},
                               "clientInfo": {"name": "bench",
                                              "version": "1"}}})
            c.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            c.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                    "params": {"name": "query",
                               "arguments": {"sql": small_query(i)}}})
        for c in kids:
            for want in (1, 2):
                line = c.read_line(120)
                if line is None:
                    raise RuntimeError("session pid %d did not answer"
                                       % c.pid)
                msg = json.loads(line)
                if msg.get("id") != want or "error" in msg or (
                        want == 2 and msg["result"].get("isError")):
                    raise RuntimeError("session pid %d: %s"
                                       % (c.pid, line[:300]))
        return kids, time.perf_counter() - t0
    except BaseException:
        stop_all(kids)
        raise


def stop_all(kids):
    for c in kids:
        try:
            c.proc.stdin.close()
        except OSError:
            pass
    for c in kids:
        c.stop()


def backend_pids(b):
    out = b.su_sql("SELECT pid FROM pg_stat_activity "
                   "WHERE usename = 'analytics_ro'")
    return [int(p) for p in out.split()]


def uss_sum_kb(pids):
    """The summed USS of pids, or None if one cannot be read (another
    user's process, when not run as root)."""
    total = 0
    for pid in pids:
        try:
            total += proc_memory(pid)["uss_kb"]
        except (PermissionError, FileNotFoundError):
            return None
    return total


def run(b, sizes):
    for k in sizes:
        times = []
        for rep in range(REPEATS):
            kids, secs = bring_up(b, k)
            times.append(secs * 1000)
            if rep == REPEATS - 1:
                time.sleep(0.5)		# idle: every reply is out
                servers = uss_sum_kb([c.pid for c in kids])
                backends = backend_pids(b)
                be = uss_sum_kb(backends)
                case = "%d sessions" % k
                b.emit("scale_servers_uss", "analytics-mcp", case, "KiB",
                       servers)
                b.emit("scale_backends_uss", "postgresql", case, "KiB", be)
                b.emit("scale_backends", "postgresql", case, "count",
                       len(backends))
            stop_all(kids)
            # The backends end with their sessions; wait for it.
            deadline = time.monotonic() + 30
            while backend_pids(b) and time.monotonic() < deadline:
                time.sleep(0.1)
        b.emit("scale_bring_up", "analytics-mcp", "%d sessions" % k, "ms",
               spread(times))
    pgbouncer()


def pgbouncer():
    """Sessions through PgBouncer in transaction mode are bench/sessions.py's
    (500 against max_connections = 50), which make bench runs next."""
    print("# sessions through PgBouncer (transaction mode): bench/"
          "sessions.py, run next by make bench", flush=True)