#!/usr/bin/env python3
"""The hostile analyst: each red-team finding, reproduced, now holding.

usage: hostile.py PGDIR BINARY  (see tests/mcptest.py)

One test function per finding, each with variants beyond the example that
found it: spellings, positions and function families for the guard; every
channel for the audit; every source for the password.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (ASAN, BINARY, DB, HOST, PORT, RO_PASSWORD, TOP, Server,
                     check, psql, run_tests, text_of, wait_until)

# Written into the fixture's readable schema by setup(), as postgres.
SETUP_SQL = r"""
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE OR REPLACE FUNCTION reporting.hostile_lock(k bigint) RETURNS boolean
  LANGUAGE sql VOLATILE AS 'SELECT pg_advisory_lock(k) IS NOT NULL';
CREATE OR REPLACE FUNCTION reporting.hostile_lock_shared(k bigint)
  RETURNS boolean LANGUAGE sql VOLATILE
  AS 'SELECT pg_advisory_lock_shared(k) IS NOT NULL';
CREATE OR REPLACE FUNCTION reporting.hostile_notice(t text) RETURNS int
  LANGUAGE plpgsql VOLATILE AS $$
  BEGIN RAISE NOTICE '%', t; RAISE WARNING 'second: %', t; RETURN 1; END $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reporting TO analytics_ro;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hostile_a') THEN
    CREATE ROLE hostile_a LOGIN IN ROLE analytics_ro;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hostile_b') THEN
    CREATE ROLE hostile_b LOGIN IN ROLE analytics_ro;
  END IF;
END $$;
ALTER ROLE hostile_b SET temp_file_limit = '2MB';
"""

SOCKET_DSN = "host=%s port=%s dbname=%s" % (HOST, PORT, DB)


def setup():
    rc, out, err = psql(SETUP_SQL)
    check(rc == 0, "hostile fixtures: lock and notice functions, dblink, "
          "two per-analyst roles", err)


def advisory_locks():
    """Advisory locks held in the whole cluster."""
    rc, out, _ = psql("SELECT count(*) FROM pg_locks "
                      "WHERE locktype = 'advisory'")
    return int(out) if rc == 0 else -1


def refused(s, sql):
    r = s.tool("query", sql=sql)
    return r["isError"] and "query rejected" in text_of(r)


# ---- 1, 3, 4: the guard -------------------------------------------------

# Each family with an argument that the function takes in attribute
# notation; the spellings and positions multiply them.
FAMILIES = [
    ("pg_advisory_lock", "42::bigint"),
    ("pg_advisory_lock_shared", "42::bigint"),
    ("pg_try_advisory_lock", "g::bigint"),
    ("pg_advisory_xact_lock", "g::bigint"),
    ("pg_try_advisory_xact_lock", "g::bigint"),
    ("pg_terminate_backend", "pg_backend_pid()"),
    ("pg_cancel_backend", "pg_backend_pid()"),
    ("ts_stat", "'SELECT to_tsvector(''x'')'::text"),
    ("query_to_xml", "'SELECT 1'::text"),
    ("dblink_connect", "'host=127.0.0.1 port=9'::text"),
    ("dblink", "'SELECT 1'::text"),
    ("set_config", "'x'::text"),
    ("nextval", "'s'::regclass"),
    ("lo_from_bytea", "'\\x00'::bytea"),
    ("pg_read_file", "'/etc/passwd'::text"),
]


def spellings(fn, arg):
    """The ways to call fn(arg) that the old guard missed, and the plain."""
    esc = "".join("\\%04x" % ord(c) if c == "a" else c for c in fn)
    bang = esc.replace("\\", "!")
    return [
        "(%s).%s" % (arg, fn),
        '(%s)."%s"' % (arg, fn),
        '(%s).U&"%s"' % (arg, esc),
        "(%s).U&\"%s\" UESCAPE '!'" % (arg, bang),
        "(%s) /* c */ . /* d */ %s" % (arg, fn),
        "(%s) -- c\n.%s" % (arg, fn),
        "((ARRAY[%s])[1]).%s" % (arg, fn),
        "((ROW(%s)).f1).%s" % (arg, fn),
        "pg_catalog.%s(%s)" % (fn, arg),
        '"pg_catalog"."%s"(%s)' % (fn, arg),
        "%s(%s)" % (fn.upper(), arg),
    ]


POSITIONS = [
    "SELECT {e} FROM generate_series(1, 3) g",
    "SELECT 1 FROM generate_series(1, 3) g WHERE {e} IS NOT NULL",
    "WITH c AS (SELECT {e} AS x FROM generate_series(1, 3) g) "
    "SELECT * FROM c",
    "VALUES ((SELECT {e} FROM generate_series(1, 1) g))",
    "SELECT * FROM (SELECT {e} FROM generate_series(1, 3) g) s",
    "SELECT 1 FROM generate_series(1, 3) g ORDER BY {e}",
    "SELECT CASE WHEN true THEN {e} END FROM generate_series(1, 3) g",
    "SELECT x FROM generate_series(1, 3) g, LATERAL (SELECT {e} AS x) l",
]


def test_guard_names_everywhere():
    """1, 3, 4: a banned function in any name position is refused."""
    s = Server()
    s.initialize()
    before = advisory_locks()
    misses = []
    n = 0
    for fn, arg in FAMILIES:
        for sp in spellings(fn, arg):
            for pos in POSITIONS:
                sql = pos.format(e=sp)
                n += 1
                if not refused(s, sql):
                    misses.append(sql)
    check(not misses, "%d spellings x positions of %d function families "
          "are refused" % (n, len(FAMILIES)), "\n".join(misses[:10]))
    check(advisory_locks() == before == 0,
          "no advisory lock was taken by any of them")
    r = s.tool("query", sql="SELECT count(*) FROM pg_stat_activity")
    check(not r["isError"], "the session goes on")
    s.stop()


def test_lock_table_flood():
    """1: one call cannot fill the shared lock table."""
    s = Server()
    s.initialize()
    for sql in ["SELECT (g::bigint).pg_try_advisory_lock FROM "
                "generate_series(1, 200000) g",
                "SELECT pg_try_advisory_xact_lock(g) FROM "
                "generate_series(1, 200000) g",
                "SELECT count(*) FROM generate_series(1, 200000) g "
                "WHERE (g::bigint).pg_try_advisory_xact_lock_shared"]:
        check(refused(s, sql), "refused: " + sql[:60])
    rc, out, err = psql("SELECT 1")
    check(rc == 0 and out == "1", "a superuser still connects", err)
    s.stop()


def test_dblink_never_connects():
    """4: the database host never connects out for a query."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)
    lsock.settimeout(0.5)
    port = lsock.getsockname()[1]
    s = Server()
    s.initialize()
    target = "host=127.0.0.1 port=%d user=x password=leak" % port
    for sql in ["SELECT ('%s').dblink_connect" % target,
                "SELECT dblink_connect('%s')" % target,
                "SELECT \"dblink_connect_u\"('%s')" % target,
                "SELECT * FROM dblink('%s', 'SELECT 1') AS t(x int)" %
                target,
                "SELECT ('%s')./**/dblink_connect" % target]:
        check(refused(s, sql), "refused: " + sql[:50])
    try:
        conn, _ = lsock.accept()
        conn.close()
        connected = True
    except socket.timeout:
        connected = False
    check(not connected, "nothing connected to the chosen address")
    lsock.close()
    s.stop()


# ---- 2: per-analyst roles ----------------------------------------------

def test_roles_keep_analysts_apart():
    """2: with a role each, analysts cannot see or signal each other."""
    a = Server("--db-user", "hostile_a", dsn=SOCKET_DSN, caller="ana")
    b = Server("--db-user", "hostile_b", dsn=SOCKET_DSN, caller="bea")
    a.initialize()
    b.initialize()
    r = a.tool("query", sql="SELECT current_user, session_user")
    check(r["structuredContent"]["rows"] == [["hostile_a", "hostile_a"]],
          "--db-user connects as the analyst's role", text_of(r))
    a.send({"jsonrpc": "2.0", "id": 99, "method": "tools/call",
            "params": {"name": "query",
                       "arguments": {"sql": "SELECT pg_sleep(8) AS secret_"
                                     "query_of_ana"}}})
    ok = wait_until(lambda: psql(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'hostile_a'"
        " AND state = 'active'")[1] == "1", 5)
    check(ok, "ana's query runs")
    _, apid, _ = psql("SELECT pid FROM pg_stat_activity WHERE usename = "
                      "'hostile_a' AND state = 'active'")
    r = b.tool("query", sql="SELECT usename, query FROM pg_stat_activity "
               "WHERE usename = 'hostile_a'")
    rows = r["structuredContent"]["rows"]
    check(rows and all(q is None or "secret_query" not in q
                       for _, q in rows),
          "bea cannot read ana's SQL in pg_stat_activity", rows)
    for fn in ("pg_cancel_backend", "pg_terminate_backend"):
        rc, out, err = psql("SELECT %s(%s)" % (fn, apid), user="hostile_b")
        check(rc != 0 and "permission denied" in err or
              "must be a member" in err,
              "the database refuses bea's %s of ana's backend" % fn, err)
    rc, out, _ = psql("SELECT state FROM pg_stat_activity WHERE pid = %s" %
                      apid)
    check(out == "active", "ana's query still runs")
    # The control: sharing a role, the same call succeeds.
    rc, out, err = psql("SELECT pg_cancel_backend(%s)" % apid,
                        user="hostile_a")
    check(rc == 0 and out == "t", "control: ana's own role can cancel it",
          err)
    reply = a.recv(10)
    check(reply is not None and reply["result"]["isError"]
          and "57014" in text_of(reply["result"]),
          "ana's call answers the cancel", reply)
    a.stop()
    b.stop()


# ---- 5: the frozen link -------------------------------------------------

class Proxy:
    def __init__(self, delay_ms=0):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(TOP, "tests/tcpproxy.py"), PORT,
             str(delay_ms)], stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)

    def stop(self):
        self.proc.send_signal(signal.SIGCONT)
        self.proc.terminate()
        self.proc.wait(5)


def sigterm(s):
    """SIGTERM the server: (its exit status or None, seconds it took);
    one still running after 3 s is killed."""
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    try:
        s.proc.wait(3)
    except subprocess.TimeoutExpired:
        pass
    took = time.monotonic() - t0
    status = s.proc.poll()
    if status is None:
        s.proc.kill()
        s.proc.wait()
    return status, took


def frozen_server(proxy, *args):
    return Server(*args, dsn="host=127.0.0.1 port=%d dbname=%s "
                  "user=analytics_ro" % (proxy.port, DB),
                  env={"PGPASSWORD": RO_PASSWORD})


def test_frozen_link():
    """5: a frozen link never hangs the server."""
    proxy = Proxy()
    try:
        s = frozen_server(proxy, "--statement-timeout", "60")
        s.initialize()
        r = s.tool("query", sql="SELECT 1 AS warm")
        check(not r["isError"], "a session through the proxy works",
              text_of(r))
        s.send({"jsonrpc": "2.0", "id": 50, "method": "tools/call",
                "params": {"name": "query",
                           "arguments": {"sql": "SELECT pg_sleep(20)"}}})
        time.sleep(0.5)
        proxy.freeze()
        s.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 50}})
        t0 = time.monotonic()
        r = s.request("ping", timeout=3)
        check(r is not None and r.get("result") == {}
              and time.monotonic() - t0 < 1,
              "ping answers at once while the cancel is in flight", r)
        status, took = sigterm(s)
        check(status is not None and took < 1,
              "SIGTERM ends it within 1 s on a frozen link (%.2f s)" % took)
    finally:
        proxy.stop()

    proxy = Proxy()
    try:
        s = frozen_server(proxy, "--statement-timeout", "1")
        s.initialize()
        s.tool("query", sql="SELECT 1")
        s.send({"jsonrpc": "2.0", "id": 60, "method": "tools/call",
                "params": {"name": "query",
                           "arguments": {"sql": "SELECT pg_sleep(20)"}}})
        time.sleep(0.3)
        proxy.freeze()
        t0 = time.monotonic()
        r = s.request("ping", timeout=3)
        check(r is not None and r.get("result") == {},
              "ping answers while a call waits on a frozen link")
        r = s.recv(10)
        took = time.monotonic() - t0
        check(r is not None and r.get("id") == 60 and r["result"]["isError"]
              and "57014" in text_of(r["result"]) and took < 6,
              "the deadline answers on a frozen link (%.1f s)" % took, r)
        proxy.stop()
        proxy = Proxy()
        s.proc.send_signal(signal.SIGTERM)
        s.proc.wait(5)
    finally:
        proxy.stop()


def test_unread_stdout():
    """5: a client that never reads cannot keep SIGTERM out."""
    s = Server(dsn="host=/nonexistent")
    line = json.dumps({"jsonrpc": "2.0", "id": 1,
                       "method": "tools/list"}).encode() + b"\n"
    s.send_raw(line * 200)      # about 2 MB of replies, never read
    time.sleep(0.5)
    status, took = sigterm(s)
    check(status == 0 and took < 1,
          "SIGTERM ends it within 1 s with stdout full and unread "
          "(%.2f s)" % took)


def test_late_cancel():
    """5, 7: a cancel that arrives late never hits a later statement."""
    proxy = Proxy(delay_ms=600)
    try:
        s = frozen_server(proxy, "--statement-timeout", "1")
        s.initialize()
        errors = []
        # FETCHes of at most 0.5 s each: the one running at the deadline
        # ends before the late cancel arrives.
        for _ in range(2):
            r = s.tool("query", sql="SELECT g FROM generate_series(1, 1000)"
                       " g WHERE pg_sleep(0.005) IS NOT NULL", max_rows=1000)
            if not (r["isError"] and "57014" in text_of(r)):
                errors.append("no timeout: " + text_of(r))
            r = s.tool("query", sql="SELECT pg_sleep(0.8) AS next")
            if r["isError"]:
                errors.append(text_of(r))
        check(not errors, "a cancel delivered 0.6 s late lands on neither "
              "the ROLLBACK nor the next call", "\n".join(errors))
        s.proc.send_signal(signal.SIGTERM)
        s.proc.wait(5)
    finally:
        proxy.stop()


# ---- 6, 12: memory and reply size ---------------------------------------

def peak_rss_kb(s):
    with open("/proc/%d/status" % s.proc.pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def test_memory_bounded():
    """6: memory is bounded by the limits, not by the rows."""
    for sql, what in [
            ("SELECT repeat('x', 10000000) FROM generate_series(1, 100)",
             "100 rows of 10 MB"),
            ("SELECT repeat(md5(g::text), 3000) FROM "
             "generate_series(1, 2000) g", "2,000 rows of 96 KB"),
            ("SELECT g, repeat('y', 500000) FROM generate_series(1, 300) g",
             "300 rows of 500 KB")]:
        s = Server()
        s.initialize()
        r = s.tool("query", sql=sql, timeout=60)
        # AddressSanitizer keeps freed memory in quarantine: its RSS
        # says nothing about ours, so only the result is checked there.
        peak = peak_rss_kb(s) if not ASAN else 0
        check(not r["isError"] and r["structuredContent"]["truncated"]
              and peak < 64 * 1024,
              "%s: cut at the budget, %s" % (what, "peak RSS %d MB < 64 MB"
                                             % (peak // 1024) if not ASAN
                                             else "RSS not measured (ASan)"),
              text_of(r)[:300])
        s.stop()
    if ASAN:
        print("# skip - AddressSanitizer build: no memory cap to test")
        return
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT repeat('x', 200000000)", timeout=60)
    check(r["isError"] and "memory cap" in text_of(r)
          and "--max-memory" in text_of(r),
          "a 200 MB value is a clean error naming the memory cap",
          text_of(r))
    r = s.tool("query", sql="SELECT 1 AS after")
    check(not r["isError"], "the session goes on after it")
    s.stop()
    s = Server("--max-memory", "32")
    s.initialize()
    r = s.tool("query", sql="SELECT repeat('x', 40000000)", timeout=60)
    check(r["isError"] and "32 MiB" in text_of(r),
          "--max-memory sets the cap", text_of(r))
    s.stop()
    p = subprocess.run([BINARY, "--max-memory", "8"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=10, text=True)
    check(p.returncode == 1 and "--max-memory" in p.stderr,
          "--max-memory below its floor is refused", p.stderr)


def test_replies_within_budget():
    """12: deep JSON and wide rows stay inside the budget."""
    s = Server("--max-bytes", "200000")
    s.initialize()
    for kind, open_, close in [("jsonb", "[", "]"), ("json", "[", "]"),
                               ("jsonb", '{"a":', "}")]:
        deep = open_ * 6000 + "1" + close * 6000
        s.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                "params": {"name": "query", "arguments": {
                    "sql": "SELECT '%s'::%s AS deep" % (deep, kind)}}})
        line = None
        deadline = time.monotonic() + 15
        while b"\n" not in s.buf and time.monotonic() < deadline:
            s.sel.select(1)
            s.buf += os.read(s.proc.stdout.fileno(), 1 << 20)
        line, s.buf = s.buf.split(b"\n", 1)
        try:
            r = json.loads(line)["result"]
            cell = r["structuredContent"]["rows"][0][0]
            ok = isinstance(cell, str) and \
                cell.replace(" ", "").startswith(open_ * 3)
        except (ValueError, KeyError, IndexError, RecursionError) as e:
            ok, cell = False, e
        check(ok, "6,000-deep %s %s...%s comes back as a string" %
              (kind, open_, close), str(cell)[:100])
    r = s.tool("query", sql="SELECT '[[[1]]]'::jsonb AS shallow")
    check(r["structuredContent"]["rows"] == [[[[[1]]]]],
          "shallow JSON is still embedded")
    s.stop()
    s = Server()
    s.initialize()

    cols = ", ".join("%d AS %s" % (i, ("c%04d_" % i) + "x" * 55)
                     for i in range(1600))
    s.send({"jsonrpc": "2.0", "id": 8, "method": "tools/call",
            "params": {"name": "query", "arguments": {
                "sql": "SELECT " + cols}}})
    deadline = time.monotonic() + 15
    while b"\n" not in s.buf and time.monotonic() < deadline:
        s.sel.select(1)
        s.buf += os.read(s.proc.stdout.fileno(), 1 << 20)
    line, s.buf = s.buf.split(b"\n", 1)
    r = json.loads(line)["result"]
    check(len(line) < 40000 and r["isError"]
          and "column names" in text_of(r),
          "1,600 long column names: a %d-byte reply naming the cause" %
          len(line), text_of(r)[:200])
    cols = ", ".join("%d AS c%d" % (i, i) for i in range(300))
    r = s.tool("query", sql="SELECT %s FROM generate_series(1, 1000)" % cols)
    size = len(json.dumps(r["structuredContent"], separators=(",", ":")))
    check(not r["isError"] and r["structuredContent"]["truncated"]
          and size <= 40000 + 600,
          "300 columns: columns and rows together stay in the budget "
          "(%d bytes)" % size)
    s.stop()


def test_temp_files_bounded():
    """A query cannot fill the host's disk with temporary files."""
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT current_setting('temp_file_limit')")
    check(r["structuredContent"]["rows"] == [["1GB"]],
          "the role caps temporary files (temp_file_limit 1GB)", text_of(r))
    s.stop()
    # The mechanism, with a role whose cap is small enough to reach.
    s = Server("--db-user", "hostile_b", dsn=SOCKET_DSN)
    s.initialize()
    for sql in ["SELECT count(*) FROM (SELECT g FROM generate_series(1, "
                "500000) g ORDER BY md5(g::text)) s",
                "SELECT count(DISTINCT md5(g::text)) FROM "
                "generate_series(1, 500000) g"]:
        r = s.tool("query", sql=sql, timeout=60)
        check(r["isError"] and "temp_file_limit" in text_of(r),
              "a spilling query stops at the role's temp_file_limit",
              text_of(r)[:300])
    r = s.tool("query", sql="SELECT 1")
    check(not r["isError"], "the session goes on")
    s.stop()


# ---- 7: the deadline ----------------------------------------------------

def test_deadline_per_call():
    """7: --statement-timeout bounds the whole call, every FETCH."""
    # Each FETCH of 100 rows takes about 0.5 s, under the timeout of 1 s;
    # the call as a whole takes 5 s.
    s = Server("--statement-timeout", "1", "--max-bytes", "1000000",
               caller="deadline")
    s.initialize()
    for sql in ["SELECT pg_sleep(0.005), g FROM generate_series(1, 1000) g",
                "SELECT g FROM generate_series(1, 1000) g "
                "WHERE pg_sleep(0.005) IS NOT NULL",
                "SELECT g, (SELECT pg_sleep(0.005) WHERE g > 0) FROM "
                "generate_series(1, 1000) g ORDER BY g"]:
        t0 = time.monotonic()
        r = s.tool("query", sql=sql, max_rows=1000)
        took = time.monotonic() - t0
        check(r["isError"] and "57014" in text_of(r) and took < 3,
              "a call of many FETCHes ends at its deadline (%.1f s)" % took,
              text_of(r)[:300])
    r = s.tool("query", sql="SELECT 1")
    check(not r["isError"], "the next call runs")
    # The cancel that ends a call is sent asynchronously: it must never
    # land on the ROLLBACK or on the next call's statements.
    errors = []
    for _ in range(8):
        s.tool("query", sql="SELECT g FROM generate_series(1, 1000) g "
               "WHERE pg_sleep(0.005) IS NOT NULL", max_rows=1000)
        r = s.tool("query", sql="SELECT 1")
        if r["isError"]:
            errors.append(text_of(r))
    check(not errors, "after 8 timed-out calls, each next call runs",
          "\n".join(errors[:3]))
    s.stop()
    check(wait_until(lambda: psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        "'analytics-mcp/deadline' AND xact_start IS NOT NULL")[1] == "0", 5),
        "no snapshot is left open")


# ---- 8, 11: secrets -----------------------------------------------------

SECRET = "Sekr3tPw_%d" % os.getpid()


def run_bin(args, env=None, timeout=15):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("PG", "MCP_")) and k != "DATABASE_URL"}
    e.update(env or {})
    return subprocess.run([BINARY] + args, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, text=True, env=e)


def test_secrets_never_leak():
    """8: the password reaches no message, whatever its source."""
    bad = [
        "postgresql://analytics_ro:%s@127.0.0.1:%s/%s?bogus=1" %
        (SECRET, PORT, DB),
        "postgresql://analytics_ro:%s@[::1" % SECRET,
        "postgresql://analytics_ro:%s%%zz@127.0.0.1/x" % SECRET,
        "host=127.0.0.1 password=%s oops" % SECRET,
        "host=127.0.0.1 password='%s" % SECRET,
        "password=%s nosuchkey=1" % SECRET,
    ]
    for dsn in bad:
        for how, args, env in [
                ("DATABASE_URL", ["--caller", "x"], {"DATABASE_URL": dsn}),
                ("DATABASE_URL --check", ["--check", "--caller", "x"],
                 {"DATABASE_URL": dsn}),
                ("--dsn", ["--dsn", dsn, "--caller", "x"], None)]:
            p = run_bin(args, env)
            check(p.returncode == 1 and SECRET not in p.stdout + p.stderr
                  and "not a valid connection string" in p.stderr,
                  "%s %s...: refused at start, password not shown" %
                  (how, dsn[:24]), p.stdout + p.stderr)
    # Text from the server that quotes the secret is scrubbed too: here
    # the role name equals the password.
    for how, args, env in [
            ("--dsn", ["--dsn", SOCKET_DSN + " user=%s password=%s" %
                       (SECRET, SECRET)], {}),
            ("DATABASE_URL", [], {"DATABASE_URL": SOCKET_DSN +
                                  " user=%s password=%s" % (SECRET, SECRET)}),
            ("PGPASSWORD", ["--dsn", SOCKET_DSN + " user=" + SECRET],
             {"PGPASSWORD": SECRET})]:
        p = run_bin(["--check", "--caller", "x"] + args, env)
        check(p.returncode == 1 and SECRET not in p.stdout + p.stderr
              and "********" in p.stdout,
              "--check scrubs the password from libpq's text (%s)" % how,
              p.stdout)
        s = Server(*args, dsn=None, env=env)
        s.initialize()
        r = s.tool("query", sql="SELECT 1")
        check(r["isError"] and SECRET not in json.dumps(r)
              and "********" in text_of(r),
              "the tool's error scrubs the password (%s)" % how, text_of(r))
        s.stop()
        check(SECRET not in s.log(), "stderr has no password (%s)" % how)
    p = run_bin(["--check", "--caller", "x"],
                {"DATABASE_URL": "postgresql://analytics_ro:%s@127.0.0.1:%s"
                 "/%s" % (RO_PASSWORD, PORT, DB)})
    check(p.returncode == 0 and "role: analytics_ro" in p.stdout
          and RO_PASSWORD not in p.stdout + p.stderr,
          "a valid DATABASE_URL with a password works, quietly", p.stdout)


def test_not_dumpable():
    """11: no core, no same-uid ptrace: the password stays inside."""
    s = Server()
    s.initialize()
    with open("/proc/%d/limits" % s.proc.pid) as f:
        core = [line for line in f if line.startswith("Max core file size")]
    check(core and core[0].split()[4:6] == ["0", "0"],
          "the core file size limit is 0", core)
    s.stop()
    if os.getuid() != 0:
        print("# skip - not root: cannot run the server as another user")
        return
    # A dumpable process's /proc files belong to its user; a non-dumpable
    # one's to root.  Run it as nobody and look, from a copy nobody can
    # reach: the checkout's parents may be closed to others (/root).
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        binary = os.path.join(d, "analytics-mcp")
        shutil.copy(BINARY, binary)
        os.chmod(binary, 0o755)
        p = subprocess.Popen(["setpriv", "--reuid=nobody",
                              "--regid=nogroup", "--clear-groups", binary,
                              "--caller", "x", "--dsn", "host=/nonexistent"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)

        def hardened_copy():
            """The copy runs, and its /proc files are root's: it made
            itself non-dumpable after exec (which makes it dumpable)."""
            try:
                return (os.readlink("/proc/%d/exe" % p.pid) == binary and
                        os.stat("/proc/%d/environ" % p.pid).st_uid == 0)
            except OSError:
                return False
        ok = wait_until(hardened_copy, 5)
        check(ok and p.poll() is None,
              "the process is not dumpable (its /proc files belong to "
              "root, not to its user)", "exit %s, %r" % (p.poll(),
              p.stderr.read1(4096) if p.poll() is not None else b""))
        p.stdin.close()
        p.wait(5)


# ---- 9: session state ---------------------------------------------------

def test_session_reset():
    """9: nothing of a call outlives it, and a left-over lock is reported."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as audit:
        s = Server("--audit-log", audit.name)
        s.initialize()
        for fn in ("hostile_lock", "hostile_lock_shared"):
            r = s.tool("query", sql="SELECT reporting.%s(4242)" % fn)
            check(not r["isError"], "a readable VOLATILE function takes a "
                  "session lock (%s)" % fn, text_of(r))
            check(advisory_locks() == 0,
                  "the lock is gone after the call (%s)" % fn)
        rc, out, _ = psql("SELECT pg_try_advisory_lock(4242)")
        check(out == "t", "another session can take the lock")
        r = s.tool("query", sql="SELECT current_setting('work_mem')")
        check(not r["isError"], "the session goes on")
        s.stop()
        recs = [json.loads(x) for x in open(audit.name)]
        check([x["leftover_locks"] for x in recs] == [1, 1, 0],
              "the audit reports the left-over locks", recs)
        check("leftover_locks=1" in s.log(), "so does the text audit line")


# ---- 10: the audit stream -----------------------------------------------

HOSTILE_TEXT = "x\nFAKE caller=mallory\r\x85\u2028\u2029\x1b[31m\x7f\"end"


def raw_ok(data):
    """No raw control, C1 or separator characters in a line of text."""
    bad = [c for c in data if (ord(c) < 0x20 and c != "\n") or
           0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029"]
    return not bad


def test_audit_integrity():
    """10: query-controlled text cannot forge or break audit lines."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as audit:
        s = Server("--audit-log", audit.name, caller="honest")
        s.initialize()
        sql_lit = HOSTILE_TEXT.replace("'", "''")
        r = s.tool("query", sql="SELECT reporting.hostile_notice(E'%s')" %
                   sql_lit.replace("\\", "\\\\"))
        notes = r["structuredContent"].get("notices", [])
        check(not r["isError"] and len(notes) == 2
              and "FAKE caller=mallory" in notes[0]
              and notes[0].startswith("NOTICE:")
              and notes[1].startswith("WARNING:"),
              "the statement's notices reach the model in the result", r)
        ident = '"' + ("long identifier \n caller=mallory \x85" * 3) + '"'
        r = s.tool("query", sql="SELECT 1 AS %s" % ident)
        check(not r["isError"] and any("truncated" in n for n in
                                       r["structuredContent"]["notices"]),
              "a server NOTICE about the query's own text is a notice",
              r["structuredContent"])
        r = s.tool("query", sql="SELECT 1 -- %s" % HOSTILE_TEXT.replace(
            "\n", " "))
        r = s.tool("query", sql="SELECT '%s' AS t" % sql_lit)
        check(not r["isError"] and r["structuredContent"]["rows"][0][0] ==
              HOSTILE_TEXT, "the value itself comes back intact")
        s.send_raw(b"")
        out = s.proc.stdout
        s.stop()
        del out
        log = s.log()
        lines = log.split("\n")[:-1]
        check(raw_ok(log) and all(
            line.startswith(("20", "analytics-mcp:")) for line in lines),
            "stderr: every line is whole, no raw control characters",
            log[:2000])
        # Whatever the query controls is inside the first quotes.
        forged = [line for line in lines
                  if "caller=mallory" in line.split('"')[0]]
        check(not forged and all(line.endswith('"') for line in lines
                                 if " sql=" in line),
              "no line poses as another caller; the SQL is quoted, last",
              forged)
        check(any("database NOTICE" in line and "mallory" in line
                  for line in lines),
              "notices are logged escaped on one line")
        data = open(audit.name, encoding="utf-8").read()
        check(raw_ok(data) and all(json.loads(x)["caller"] == "honest"
                                   for x in data.splitlines()),
              "--audit-log: escaped JSON lines", data[:500])


def test_stdout_escapes():
    """10: C1 and U+2028/U+2029 are escaped on stdout too."""
    s = Server()
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "query", "arguments": {
                "sql": "SELECT E'a\\u0085b\\u2028c\\u2029d' AS t, "
                       "jsonb_build_object('k', E'\\u2028\\u0085') AS j"}}})
    deadline = time.monotonic() + 10
    while b"\n" not in s.buf and time.monotonic() < deadline:
        s.sel.select(1)
        s.buf += os.read(s.proc.stdout.fileno(), 1 << 20)
    line = s.buf.split(b"\n", 1)[0]
    text = line.decode("utf-8")
    r = json.loads(text)["result"]["structuredContent"]
    check(raw_ok(text) and r["rows"][0][0] == "a\x85b\u2028c\u2029d"
          and r["rows"][0][1] == {"k": "\u2028\x85"},
          "the reply escapes C1 and line separators, values intact", text)
    s.stop()


def main():
    return run_tests([
        setup, test_guard_names_everywhere, test_lock_table_flood,
        test_dblink_never_connects, test_roles_keep_analysts_apart,
        test_frozen_link, test_late_cancel, test_unread_stdout,
        test_memory_bounded, test_replies_within_budget,
        test_temp_files_bounded, test_deadline_per_call,
        test_secrets_never_leak, test_not_dumpable, test_session_reset,
        test_audit_integrity, test_stdout_escapes])


if __name__ == "__main__":
    sys.exit(main())
