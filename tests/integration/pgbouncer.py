#!/usr/bin/env python3
"""PgBouncer in transaction pooling between analytics-mcp and the cluster:
every tool works, the caller's name reaches pg_stat_activity, and nothing
one analyst's call leaves in a server connection reaches another analyst
who is given that connection next.

usage: pgbouncer.py PGDIR BINARY  (see tests/mcptest.py)

PgBouncer runs on 127.0.0.1 with its own configuration in a temporary
directory, as the postgres user when we are root (it refuses root),
reaching the cluster over its Unix socket; clients authenticate with
SCRAM against the role's secret copied from pg_authid.  Two server
connections, kept open and handed out in turn (server_round_robin), so that
consecutive transactions of one client land on different backends, as
they do under load.  It is stopped by its PID.
"""
import json
import os
import shutil
import sys
import tempfile
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (TOP, Bouncer, active_queries, check, pg_ctl, psql,
                     run_tests, text_of, wait_until)

SETUP_SQL = r"""
CREATE OR REPLACE FUNCTION reporting.pgb_leave_state(k bigint)
  RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
  BEGIN
    PERFORM pg_advisory_lock(k);
    EXECUTE 'PREPARE pgb_left_behind AS SELECT 1';
    PERFORM set_config('work_mem', '77MB', false);
    RETURN true;
  END $$;
GRANT EXECUTE ON FUNCTION reporting.pgb_leave_state(bigint) TO analytics_ro;
"""

# What a backend holds that a call could have left in it.
STATE_SQL = ("SELECT pg_backend_pid() AS pid, "
             "(SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
             "AND locktype = 'advisory') AS locks, "
             "(SELECT count(*) FROM pg_prepared_statements) AS prepared, "
             "current_setting('work_mem') AS work_mem, "
             "current_setting('application_name') AS app")


BOUNCER = None


def setup():
    global BOUNCER
    rc, _, err = psql(SETUP_SQL)
    check(rc == 0, "a function that leaves session state behind", err)
    BOUNCER = Bouncer(pool_size=2, min_pool_size=2,
                      extra="server_round_robin = 1")
    check(BOUNCER.listening(), "PgBouncer listens on 127.0.0.1:%d in "
          "transaction pooling" % BOUNCER.port)


def test_every_tool():
    s = BOUNCER.server("pgb-tools")
    s.initialize()
    with open(os.path.join(TOP, "tests/client/every-tool.json")) as f:
        calls = json.load(f)
    bad = []
    for c in calls:
        r = s.tool(c["name"], **c["arguments"])
        if r["isError"]:
            bad.append("%s: %s" % (c["name"], text_of(r)[:200]))
    check(not bad, "all %d calls of every tool succeed through PgBouncer" %
          len(calls), "\n".join(bad))
    r = s.request("prompts/list")
    check(r is not None and r.get("result", {}).get("prompts"),
          "prompts/list works through PgBouncer", r)
    r = s.request("resources/list")
    check(r is not None and r.get("result", {}).get("resources"),
          "resources/list works through PgBouncer", r)
    r = s.tool("query", sql="SELECT ST_AsText(ST_MakePoint(1, 2)) AS wkt, "
               "ST_MakePoint(1, 2) AS geom")
    check(not r["isError"] and r["structuredContent"]["rows"][0][1] ==
          {"type": "Point", "coordinates": [1, 2]},
          "PostGIS geometry still becomes GeoJSON", text_of(r)[:300])
    check(s.stop() == 0, "the session ends normally")


def test_attribution():
    s = BOUNCER.server("pgb-alice")
    s.initialize()
    # Not only the first call: a pooler's own tracking of the name can be
    # lost to a RESET ALL on the server connection.
    for _ in range(3):
        s.tool("list_schemas")
    s.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
        "name": "query", "arguments": {"sql": "SELECT pg_sleep(1.5)"}}})
    check(wait_until(lambda: active_queries("pgb-alice") == 1, 5),
          "during the call, pg_stat_activity names the analyst "
          "(application_name analytics-mcp/pgb-alice)")
    r = s.recv(10)
    check(r is not None and not r["result"]["isError"], "the call answers")
    s.stop()


def test_no_state_crosses():
    b = BOUNCER.server("pgb-bea")
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as audit:
        a = BOUNCER.server("pgb-ana", "--audit-log", audit.name)
        a.initialize()
        b.initialize()
        r = a.tool("query", sql="SELECT pg_backend_pid() AS pid, "
                   "reporting.pgb_leave_state(4343) AS left")
        check(not r["isError"], "ana's call takes a session lock, prepares "
              "a statement and sets work_mem for the session", text_of(r))
        apid = r["structuredContent"]["rows"][0][0]
        a.stop()
        rec = json.loads(open(audit.name).read().splitlines()[-1])
        check(rec["leftover_locks"] == 1,
              "the audit counts the lock ana's call left, on its own "
              "backend", rec)
    rc, out, _ = psql("SELECT count(*) FROM pg_locks "
                      "WHERE locktype = 'advisory'")
    check(out == "0", "no advisory lock is held anywhere after ana's call",
          out)
    seen, bad = set(), []
    for _ in range(8):
        r = b.tool("query", sql=STATE_SQL)
        row = dict(zip([c["name"] for c in
                        r["structuredContent"]["columns"]],
                       r["structuredContent"]["rows"][0]))
        seen.add(row["pid"])
        if (row["locks"], row["prepared"], row["app"]) != \
                (0, 0, "analytics-mcp/pgb-bea") or row["work_mem"] == "77MB":
            bad.append(row)
    check(apid in seen, "bea's calls run on ana's server connection too "
          "(backends %s, ana's %s)" % (sorted(seen), apid))
    check(not bad, "bea's calls see none of ana's lock, prepared statement "
          "or setting, and carry bea's own name", bad)
    b.stop()


def test_cancel_and_timeout():
    """Cancel requests go through PgBouncer to the call's backend."""
    s = BOUNCER.server("pgb-cancel", "--statement-timeout", "1")
    s.initialize()
    r = s.tool("query", sql="SELECT pg_sleep(10)")
    check(r["isError"] and "57014" in text_of(r),
          "the statement timeout ends a call through PgBouncer", text_of(r))
    s.stop()
    s = BOUNCER.server("pgb-cancel")
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": "c", "method": "tools/call", "params": {
        "name": "query", "arguments": {"sql": "SELECT pg_sleep(30)"}}})
    check(wait_until(lambda: active_queries("pgb-cancel") == 1, 10),
          "a long call runs through PgBouncer")
    s.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": "c"}})
    check(wait_until(lambda: active_queries("pgb-cancel") == 0, 5),
          "notifications/cancelled stops it in PostgreSQL")
    r = s.tool("query", sql="SELECT 1 AS next")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[1]],
          "the next call works", text_of(r))
    s.stop()


def test_database_down_behind_pgbouncer():
    """PgBouncer keeps a client waiting while it has no server: the call
    ends at its deadline saying nothing ran, and works once the database
    is back."""
    bouncer = Bouncer(pool_size=2, extra="server_login_retry = 1")
    s = bouncer.server("pgb-down", "--statement-timeout", "2")
    try:
        s.initialize()
        r = s.tool("query", sql="SELECT 1")
        check(not r["isError"], "a call through PgBouncer works",
              text_of(r))
        pg_ctl("stop")
        try:
            t0 = time.monotonic()
            r = s.tool("query", sql="SELECT 2", timeout=20)
            took = time.monotonic() - t0
            text = text_of(r)
            check(r["isError"] and took < 10 and (
                "did not start this call" in text or
                "08P01" in text and "Try again" in text),
                  "the database down behind PgBouncer: the call ends "
                  "(%.1f s), saying nothing of it ran" % took, text)
        finally:
            pg_ctl("start")
        t0 = time.monotonic()
        check(wait_until(lambda: not s.tool("query", sql="SELECT 3")[
            "isError"], 20, 0.5),
              "once the database is back, calls work again (%.1f s)" %
              (time.monotonic() - t0))
    finally:
        s.stop()
        bouncer.stop()


def teardown():
    if BOUNCER is not None:
        BOUNCER.stop()
    psql("DROP FUNCTION IF EXISTS reporting.pgb_leave_state(bigint)")


def main():
    if shutil.which("pgbouncer") is None:
        print("# skip - pgbouncer is not installed (tests/deps.sh)")
        return 0
    try:
        return run_tests([setup, test_every_tool, test_attribution,
                          test_no_state_crosses, test_cancel_and_timeout,
                          test_database_down_behind_pgbouncer])
    finally:
        teardown()


if __name__ == "__main__":
    sys.exit(main())
