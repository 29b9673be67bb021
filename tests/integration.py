#!/usr/bin/env python3
"""Integration tests: tools, catalog, types, limits, attribution, secrets.

usage: integration.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from mcptest import (BINARY, DB, DSN, PORT, RO_PASSWORD, Server,
                     active_queries, check, pg_ctl, psql, run_tests,
                     text_of, wait_until)


# ---- tests ------------------------------------------------------------

def test_tools_list():
    s = Server()
    init = s.initialize()
    check(init["result"]["protocolVersion"] == "2025-11-25",
          "initialize negotiates 2025-11-25", init)
    r = s.request("tools/list")
    tools = {t["name"]: t for t in r["result"]["tools"]}
    check(sorted(tools) == sorted(["query", "list_schemas", "list_tables",
                                   "describe_table", "list_functions",
                                   "sample_table"]),
          "tools/list has the six tools", sorted(tools))
    check(all(t["annotations"] == {"readOnlyHint": True,
                                   "openWorldHint": False}
              and t["title"] and t["inputSchema"]["type"] == "object"
              and t["outputSchema"]["type"] == "object"
              for t in tools.values()),
          "every tool has title, schemas and read-only annotations")
    s.stop()


def test_catalog():
    s = Server()
    s.initialize()
    r = s.tool("list_schemas")
    names = [x["schema"] for x in r["structuredContent"]["schemas"]]
    check(names == ["fuel", "reporting", "tickets", "tracksolid"],
          "list_schemas shows exactly the readable schemas", names)
    rep = [x for x in r["structuredContent"]["schemas"]
           if x["schema"] == "reporting"][0]
    check(rep["materialized_views"] >= 1 and rep["views"] >= 1,
          "list_schemas counts views and materialized views", rep)
    check(json.loads(text_of(r)) == r["structuredContent"],
          "text content is the same JSON as structuredContent")

    r = s.tool("list_tables", schema="reporting")
    tables = {t["name"]: t for t in r["structuredContent"]["tables"]}
    check(tables.get("v_trips", {}).get("kind") == "materialized view",
          "list_tables shows the materialized view v_trips", tables.keys())
    check(tables.get("v_daily_summary", {}).get("kind") == "view",
          "list_tables shows views")
    check(any(t["comment"] for t in tables.values()),
          "list_tables carries comments")
    r = s.tool("list_tables", schema="tracksolid")
    pos = [t for t in r["structuredContent"]["tables"]
           if t["name"] == "positions"]
    check(pos and isinstance(pos[0]["estimated_rows"], int)
          and pos[0]["estimated_rows"] > 1000,
          "list_tables estimates row counts", pos)

    r = s.tool("list_tables", schema="infrastructure")
    check(r["isError"] and "reporting" in text_of(r),
          "an unreadable schema is an isError naming the readable ones",
          text_of(r))
    r = s.tool("list_tables", schema="nope")
    check(r["isError"] and "tracksolid" in text_of(r),
          "an unknown schema is an isError naming the readable ones")

    r = s.tool("describe_table", schema="tickets", table="inc")
    sc = r["structuredContent"]
    cols = {c["name"]: c for c in sc.get("columns", [])}
    check(not r["isError"] and sc["kind"] == "table"
          and sc["primary_key"] == ["inc_id"],
          "describe_table gives kind and primary key", sc)
    check(cols.get("geog", {}).get("type", "").startswith("geography")
          and cols.get("mttr", {}).get("type") == "interval",
          "describe_table gives PostgreSQL type names",
          {k: v.get("type") for k, v in cols.items()})
    check(cols.get("inc_id", {}).get("nullable") is False
          and any(c["comment"] for c in cols.values()),
          "describe_table gives nullability and comments")
    r = s.tool("describe_table", schema="reporting", table="v_trips")
    check(not r["isError"] and
          r["structuredContent"]["kind"] == "materialized view"
          and r["structuredContent"]["columns"],
          "describe_table reads materialized views (pg_catalog)")
    r = s.tool("describe_table", schema="reporting", table="no_such")
    check(r["isError"] and "v_trips" in text_of(r),
          "an unknown table is an isError naming what exists", text_of(r))
    r = s.tool("describe_table", schema="reporting",
               table='v_trips"; DROP TABLE x; --')
    check(r["isError"] and "no table" in text_of(r),
          "a table name is never spliced into SQL", text_of(r))

    r = s.tool("list_functions")
    fns = {f["name"]: f for f in r["structuredContent"]["functions"]}
    check(r["structuredContent"]["schema"] == "reporting"
          and any(n.startswith("fn_") for n in fns)
          and all(f["returns"] and f["arguments"] is not None
                  for f in fns.values()),
          "list_functions defaults to reporting with signatures", fns)

    r = s.tool("sample_table", schema="tracksolid", table="devices", n=5)
    sc = r["structuredContent"]
    check(not r["isError"] and sc["row_count"] == 5 and len(sc["rows"]) == 5
          and sc["truncated"] is True,
          "sample_table returns n rows and says more exist", sc)
    r = s.tool("sample_table", schema="tracksolid", table="nope")
    check(r["isError"] and "devices" in text_of(r),
          "sample_table of an unknown table names what exists")
    s.stop()


def test_query_types():
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT count(*) AS n FROM tracksolid.positions")
    sc = r["structuredContent"]
    check(not r["isError"] and sc["columns"] == [{"name": "n",
                                                  "type": "bigint"}]
          and isinstance(sc["rows"][0][0], int) and sc["rows"][0][0] > 10000,
          "query returns columns once and rows as arrays", sc)
    sql = ("SELECT 1::int2 AS a, 2::int4 AS b, 9007199254740993::int8 AS c, "
           "1.50::numeric(5,2) AS d, 'NaN'::numeric AS e, "
           "'Infinity'::float8 AS f, '-Infinity'::float8 AS g, 0.1::float8 "
           "AS h, true AS i, false AS j, NULL::text AS k, "
           "'{\"x\": [1, 2],\n \"y\": null}'::json AS l, "
           "'{\"b\":1, \"a\":[true]}'::jsonb AS m, "
           "'2026-01-02 03:04:05+03'::timestamptz AS n, "
           "'line1\nline2 \u00e9\u0169'::text AS o, ARRAY[1,2] AS p, "
           "'2026-01-02'::date AS q, '1 day 02:00'::interval AS r")
    r = s.tool("query", sql=sql)
    row = r["structuredContent"]["rows"][0]
    types = [c["type"] for c in r["structuredContent"]["columns"]]
    check(row[:4] == [1, 2, 9007199254740993, 1.50]
          and text_of(r).count("9007199254740993") == 1,
          "integers and numeric are JSON numbers", row[:4])
    check(row[4:7] == ["NaN", "Infinity", "-Infinity"] and row[7] == 0.1,
          "NaN and Infinity are strings", row[4:8])
    check(row[8:11] == [True, False, None], "bool and NULL map", row[8:11])
    check(row[11] == {"x": [1, 2], "y": None} and row[12] == {"a": [True],
                                                             "b": 1},
          "json and jsonb are embedded as JSON", row[11:13])
    check(row[13] == "2026-01-02 00:04:05+00" or
          re.match(r"^2026-01-0[12] \d\d:04:05[+-]\d\d$", row[13]),
          "timestamptz is ISO 8601 with the offset", row[13])
    check(row[14] == "line1\nline2 \u00e9\u0169" and row[15] == "{1,2}"
          and row[16] == "2026-01-02" and row[17] == "1 day 02:00:00",
          "other types are PostgreSQL's text", row[14:])
    check(types[:5] == ["smallint", "integer", "bigint", "numeric(5,2)",
                        "numeric"] and types[11:13] == ["json", "jsonb"],
          "columns carry PostgreSQL type names", types)
    check(r["structuredContent"]["truncated"] is False
          and isinstance(r["structuredContent"]["elapsed_ms"], int),
          "a complete result says truncated=false and elapsed_ms")

    r = s.tool("query", sql="select 1 as x;;  -- done")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[1]],
          "trailing semicolons and a trailing comment are accepted")
    r = s.tool("query", sql="(SELECT 1) UNION (SELECT 2) ORDER BY 1")
    check(r["structuredContent"]["rows"] == [[1], [2]],
          "a query may start with a parenthesis")
    r = s.tool("query", sql="VALUES (1, 'a'), (2, 'b')")
    check(r["structuredContent"]["rows"] == [[1, "a"], [2, "b"]], "VALUES")
    r = s.tool("query", sql="TABLE fuel.ingest_state")
    check(not r["isError"], "TABLE", text_of(r))
    r = s.tool("query", sql="SELECT 'limit 5' AS s, x FROM "
               "generate_series(1, 30) x", max_rows=25)
    check(r["structuredContent"]["row_count"] == 25
          and r["structuredContent"]["truncated"],
          "the word limit in a literal does not fool the row cap")
    r = s.tool("query", sql="SELECT * FROM reporting.fn_top_speeders("
               "'2026-09-20', 3)")
    check(not r["isError"], "functions of the readable schemas run",
          text_of(r))
    s.stop()


def test_truncation():
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT id FROM tracksolid.positions ORDER BY id",
               max_rows=10)
    sc = r["structuredContent"]
    check(sc["row_count"] == 10 and len(sc["rows"]) == 10
          and sc["truncated"] and "max_rows" in sc["note"],
          "max_rows truncates and says how to narrow", sc)
    r = s.tool("query", sql="SELECT x FROM generate_series(1, 100) x",
               max_rows=100)
    check(r["structuredContent"]["row_count"] == 100
          and not r["structuredContent"]["truncated"],
          "exactly max_rows rows is not truncated")
    r = s.tool("query", sql="SELECT x FROM generate_series(1, 20000) x",
               max_rows=50000)
    sc = r["structuredContent"]
    check(sc["truncated"] and sc["row_count"] <= 10000,
          "max_rows above the ceiling is capped", sc.get("note"))
    s.stop()

    # 10,000 rows of 500 bytes: a hundred FETCH batches of several reads.
    s = Server("--max-bytes", str(8 * 1024 * 1024))
    s.initialize()
    r = s.tool("query", sql="SELECT x, repeat('w', 500) AS pad FROM "
               "generate_series(1, 12000) x", max_rows=10000, timeout=60)
    sc = r["structuredContent"]
    check(sc["row_count"] == 10000 and sc["truncated"]
          and [row[0] for row in sc["rows"]] == list(range(1, 10001)),
          "a result of many large FETCH batches arrives whole, in order",
          (sc["row_count"], sc["truncated"]))
    r = s.tool("query", sql="SELECT 1", max_rows=0)
    check(r["isError"] and "max_rows" in text_of(r),
          "max_rows 0 is an isError", text_of(r))
    r = s.tool("query", sql="SELECT 1", max_rows="10")
    check(r["isError"], "a string max_rows is an isError")
    r = s.tool("query", sql="SELECT 1", max_row=10)
    check(r["isError"] and "max_rows" in text_of(r),
          "an unknown argument is an isError naming the real ones")
    s.stop()

    s = Server("--max-bytes", "2000")
    s.initialize()
    r = s.tool("query", sql="SELECT x, repeat('y', 100) AS pad FROM "
               "generate_series(1, 1000) x")
    sc = r["structuredContent"]
    rows_json = json.dumps(sc["rows"], separators=(",", ":"))
    check(sc["truncated"] and 0 < sc["row_count"] < 30
          and len(rows_json) <= 2000 and "bytes" in sc["note"]
          and sc["rows"][-1][0] == sc["row_count"],
          "--max-bytes cuts whole rows and says so", sc.get("note"))
    r = s.tool("query", sql="SELECT repeat('z', 5000) AS big")
    check(r["structuredContent"]["row_count"] == 0
          and r["structuredContent"]["truncated"],
          "a single row over the budget is not sent in part")
    r = s.tool("list_tables", schema="tracksolid")
    check(not r["isError"], "catalog listings stay within the budget too")
    s.stop()


def test_errors():
    s = Server()
    s.initialize()
    r = s.tool("query", sql="SELECT imei, nosuch FROM tracksolid.devices")
    t = text_of(r)
    check(r["isError"] and "42703" in t and "LINE 1: SELECT imei, nosuch" in t
          and re.search(r"\n {21}\^", t),
          "a SQL error gives SQLSTATE and the position against the SQL", t)
    r = s.tool("query", sql="SELECT 1/0")
    check(r["isError"] and "22012" in text_of(r), "runtime errors too")
    r = s.tool("query", sql="SELECT * FROM infrastructure.hosts")
    check(r["isError"] and "42501" in text_of(r)
          and "list_schemas" in text_of(r),
          "reading an unreadable schema is refused by the role", text_of(r))
    r = s.tool("query", sql="SELEC 1")
    check(r["isError"] and "rejected" in text_of(r),
          "the guard rejects what is not a query")
    r = s.tool("query", sql="SELECT 1 AS ok")
    check(not r["isError"], "the session goes on after errors")
    r = s.request("tools/call", {"name": "nope", "arguments": {}})
    check(r.get("error", {}).get("code") == -32602,
          "an unknown tool is -32602", r)
    s.stop()


WRITES = [
    "INSERT INTO reporting.refresh_log (view_name) VALUES ('x')",
    "UPDATE reporting.refresh_log SET notes = 'x'",
    "DELETE FROM fuel.records",
    "TRUNCATE tickets.inc",
    "DROP TABLE tickets.crq",
    "CREATE TABLE reporting.evil (i int)",
    "ALTER TABLE fuel.records ADD COLUMN x int",
    "GRANT ALL ON tickets.inc TO PUBLIC",
    "COPY tickets.inc TO '/tmp/x'",
    "SELECT * INTO reporting.copy FROM fuel.records",
    "WITH d AS (DELETE FROM fuel.records RETURNING *) SELECT * FROM d",
    "SELECT 1; DELETE FROM fuel.records",
    "SELECT set_config('default_transaction_read_only', 'off', false)",
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_catalog.pg_terminate_backend(1)",
    "SELECT lo_import('/etc/passwd')",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT query_to_xml('delete from fuel.records', true, true, '')",
    "SET default_transaction_read_only = off",
    "BEGIN READ WRITE",
    "EXPLAIN ANALYZE DELETE FROM fuel.records",
    "DO $$ BEGIN DELETE FROM fuel.records; END $$",
    "CALL reporting.nothing()",
    "REFRESH MATERIALIZED VIEW reporting.v_trips",
    "SELECT nextval('tracksolid.positions_id_seq')",
    "SELECT * FROM tickets.inc FOR UPDATE",
]


def test_writes_blocked():
    before = psql("SELECT (SELECT count(*) FROM fuel.records) || ',' || "
                  "(SELECT count(*) FROM reporting.refresh_log)")[1]
    s = Server()
    s.initialize()
    for sql in WRITES:
        r = s.tool("query", sql=sql)
        check(r["isError"] and text_of(r).startswith("query rejected"),
              "guard blocks: " + sql, text_of(r))
    r = s.tool("query", sql="SELECT 1")
    check(not r["isError"], "the session goes on after rejected writes")
    s.stop()
    after = psql("SELECT (SELECT count(*) FROM fuel.records) || ',' || "
                 "(SELECT count(*) FROM reporting.refresh_log)")[1]
    check(before == after and before != "", "no data changed",
          (before, after))

    # The guard out of the way: each other layer stops writes alone.
    rw = ("SET default_transaction_read_only = off; "
          "BEGIN READ WRITE; %s; ROLLBACK;")
    for sql, state in [
            ("INSERT INTO reporting.refresh_log (view_name) VALUES ('x')",
             "permission denied"),
            ("UPDATE tickets.inc SET owner = 'x'", "permission denied"),
            ("DELETE FROM fuel.records", "permission denied"),
            ("CREATE TABLE reporting.evil (i int)", "permission denied"),
            ("TRUNCATE tickets.crq", "permission denied"),
            ("REFRESH MATERIALIZED VIEW reporting.v_trips", "must be owner"),
            ("SELECT * FROM infrastructure.hosts", "permission denied"),
            ("SELECT pg_read_file('/etc/passwd')", "permission denied"),
            ("COPY fuel.records TO '/tmp/analytics-mcp-copy'",
             "must be superuser or have privileges of the "
             "pg_write_server_files role")]:
        rc, out, err = psql(rw % sql, user="analytics_ro")
        check(rc != 0 and state in err,
              "role alone (psql as analytics_ro, read-write) blocks: " + sql,
              err)
    rc, out, err = psql("INSERT INTO reporting.refresh_log (view_name) "
                        "VALUES ('x')", user="analytics_ro")
    check(rc != 0 and "read-only transaction" in err,
          "the role's sessions are read-only by default", err)
    rc, out, err = psql("BEGIN READ ONLY; INSERT INTO reporting.refresh_log "
                        "(view_name) VALUES ('x'); ROLLBACK;")
    check(rc != 0 and "read-only transaction" in err,
          "a READ ONLY transaction alone blocks even the superuser", err)
    rc, out, err = psql("BEGIN READ ONLY; DECLARE c NO SCROLL CURSOR FOR "
                        "DELETE FROM fuel.records; ROLLBACK;")
    check(rc != 0 and "syntax error" in err,
          "the cursor alone refuses a DELETE", err)
    rc, out, err = psql("BEGIN; DECLARE c NO SCROLL CURSOR FOR WITH d AS "
                        "(DELETE FROM fuel.records RETURNING *) SELECT * "
                        "FROM d; ROLLBACK;")
    check(rc != 0 and "DECLARE CURSOR must not contain data-modifying" in err,
          "the cursor alone refuses a data-modifying WITH", err)


def test_timeout_and_cancel():
    s = Server("--statement-timeout", "1")
    s.initialize()
    r = s.tool("query", sql="SELECT pg_sleep(5)")
    check(r["isError"] and "57014" in text_of(r)
          and "statement timeout" in text_of(r),
          "the statement timeout stops a long query", text_of(r))
    s.stop()

    s = Server(caller="slow1")
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": "slow", "method": "tools/call",
            "params": {"name": "query",
                       "arguments": {"sql": "SELECT pg_sleep(60) AS slow1"}}})
    check(wait_until(lambda: active_queries("slow1") == 1, 10),
          "the long query runs in PostgreSQL")
    s.send({"jsonrpc": "2.0", "id": 99, "method": "ping"})
    r = s.recv(5)
    check(r == {"jsonrpc": "2.0", "id": 99, "result": {}},
          "ping is answered while a query runs", r)
    s.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": "slow", "reason": "test"}})
    check(wait_until(lambda: active_queries("slow1") == 0, 2),
          "notifications/cancelled cancels the query in PostgreSQL")
    r = s.tool("query", sql="SELECT 42 AS after")
    check(r["structuredContent"]["rows"] == [[42]],
          "nothing is sent for the cancelled request; the next call works",
          r)
    s.stop()
    log = s.log()
    check("status=cancelled" in log, "the audit records the cancellation",
          log)

    # Requests wait their turn, in order, while a query runs.
    s = Server()
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "query", "arguments": {"sql": "SELECT pg_sleep(0.5), 1"}}})
    s.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    s.send({"jsonrpc": "2.0", "id": 3, "method": "ping"})
    order = [s.recv(10), s.recv(10), s.recv(10)]
    check([m and m.get("id") for m in order] == [3, 1, 2],
          "ping jumps the queue; other requests keep their order",
          [m and m.get("id") for m in order])
    s.stop()

    # Half-close: no more requests, but the answers are still read.
    s = Server()
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {
        "name": "query", "arguments": {"sql": "SELECT pg_sleep(0.5), 7"}}})
    s.send({"jsonrpc": "2.0", "id": 7, "method": "tools/list"})
    s.proc.stdin.close()
    a, b = s.recv(10), s.recv(10)
    check(a is not None and a["id"] == 6 and
          a["result"]["structuredContent"]["rows"] == [["", 7]]
          and b is not None and b["id"] == 7,
          "EOF on stdin alone (a half-close): what was asked is answered",
          (a, b))
    try:
        rc = s.proc.wait(5)
    except subprocess.TimeoutExpired:
        s.proc.kill()
        rc = None
    check(rc == 0, "then the session ends with status 0", rc)

    for how in ("client gone", "sigterm"):
        tag = "slow_" + how.replace(" ", "_")
        s = Server(caller=tag)
        s.initialize()
        s.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                "params": {"name": "query", "arguments": {
                    "sql": "SELECT pg_sleep(60) AS %s" % tag}}})
        check(wait_until(lambda: active_queries(tag) == 1, 10),
              "long query running before %s" % how)
        t0 = time.monotonic()
        if how == "client gone":
            # As when an ssh client dies: both of our pipes close.
            s.proc.stdin.close()
            s.sel.unregister(s.proc.stdout)
            s.proc.stdout.close()
        else:
            s.proc.send_signal(signal.SIGTERM)
        try:
            rc = s.proc.wait(5)
        except subprocess.TimeoutExpired:
            s.proc.kill()
            rc = None
        gone = wait_until(lambda: active_queries(tag, True) == 0, 1)
        check(rc == 0 and gone,
              "%s cancels the query and exits 0; backend gone (%.2fs)" %
              (how, time.monotonic() - t0), (rc, gone))


def test_database_down_and_back():
    pg_ctl("stop")
    try:
        s = Server()
        init = s.initialize()
        check(init is not None and "result" in init,
              "initialize answers while the database is down")
        r = s.tool("query", sql="SELECT 1")
        check(r["isError"] and "unavailable" in text_of(r),
              "database down: the tool says so", text_of(r))
        r = s.request("ping")
        check(r is not None and r.get("result") == {},
              "the session stays up while the database is down")
    finally:
        pg_ctl("start")
    r = s.tool("query", sql="SELECT 2 AS back")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[2]],
          "the next call connects once the database is back", r)
    pg_ctl("restart")
    r = s.tool("query", sql="SELECT 3 AS again")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[3]],
          "a connection lost to a restart is re-established", text_of(r))
    s.stop()


def test_connect_timeout():
    """A server that accepts TCP but never answers: both the session's
    asynchronous connect and --check give up after the connect timeout."""
    import socket
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)        # never accepted: the startup packet waits
    port = lsock.getsockname()[1]
    dsn = "host=127.0.0.1 port=%d dbname=x user=y" % port
    try:
        chk = subprocess.Popen([BINARY, "--check", "--dsn", dsn],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        s = Server(dsn=dsn)
        init = s.initialize()
        check(init is not None and "result" in init,
              "initialize is answered while the connect hangs")
        r = s.tool("query", timeout=25, sql="SELECT 1")
        check(r["isError"] and "timed out" in text_of(r),
              "a connect that hangs ends in an isError after the timeout",
              text_of(r))
        r = s.request("ping")
        check(r is not None and r.get("result") == {},
              "the session goes on after a connect timeout")
        s.stop()
        try:
            out, _ = chk.communicate(timeout=25)
        except subprocess.TimeoutExpired:
            chk.kill()
            out, _ = chk.communicate()
        check(chk.returncode == 1 and "timeout" in out,
              "--check gives up on a hanging connect with status 1", out)
    finally:
        lsock.close()


def test_attribution_and_audit():
    with tempfile.TemporaryDirectory() as d:
        audit = os.path.join(d, "audit.jsonl")
        s = Server("--audit-log", audit, caller="alice",
                   env={"SSH_CONNECTION": "192.0.2.7 50000 127.0.0.1 22"})
        s.initialize()
        r = s.tool("query", sql="SELECT application_name FROM "
                   "pg_stat_activity WHERE pid = pg_backend_pid()")
        check(r["structuredContent"]["rows"] == [["analytics-mcp/alice"]],
              "application_name names the caller",
              r["structuredContent"]["rows"])
        s.tool("query", sql="SELECT x\nFROM generate_series(1, 3) x")
        s.tool("query", sql="DELETE FROM fuel.records")
        s.tool("query", sql="SELECT 1/0")
        s.stop()
        with open(audit) as f:
            recs = [json.loads(line) for line in f]
        check(len(recs) == 4 and all(x["caller"] == "alice" and
                                      x["peer"] == "192.0.2.7" for x in recs),
              "--audit-log has one JSON line per call with the caller", recs)
        check(recs[1]["rows"] == 3 and recs[1]["status"] == "ok"
              and recs[1]["sql"] == "SELECT x\nFROM generate_series(1, 3) x"
              and recs[2]["status"] == "error"
              and recs[3]["status"] == "22012",
              "audit records rows, status and SQL", recs[1:])
        log = s.log()
        check("caller=alice peer=192.0.2.7 tool=query rows=3 truncated=0"
              in log and 'sql="SELECT x\\nFROM generate_series(1, 3) x"\n'
              in log,
              "stderr carries the audit line with the SQL quoted, last, on "
              "one line", log)


ALICE_KEY = ("AAAAC3NzaC1lZDI1NTE5AAAAIASDLPKG72OglyEMk7IAGiW+gCZGBLC+JMif/"
             "jB83WTg")
ALICE_FP = "SHA256:N6UkpGalYHsoQjdre9xqANz9cB7Ogfmm6rt4bnetg7Q"


def check_caller(args, env):
    """The caller line of --check run with args and env."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    e.update(env)
    p = subprocess.run([BINARY, "--check", "--dsn", DSN] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, text=True, env=e)
    m = re.search(r"^caller: (.*)$", p.stdout, re.M)
    return p.returncode, (m.group(1) if m else p.stderr.strip())


def test_attribution_sources():
    if os.geteuid() != 0:
        print("# skip: the callers file must be root-owned; run as root")
        return
    with tempfile.TemporaryDirectory() as d:
        auth = os.path.join(d, "auth")
        callers = os.path.join(d, "callers")
        with open(auth, "w") as f:
            f.write("publickey ssh-ed25519 %s\n" % ALICE_KEY)
        with open(callers, "w") as f:
            f.write("# test\n%s alice\n" % ALICE_FP)
        os.chmod(callers, 0o644)
        env = {"SSH_USER_AUTH": auth,
               "SSH_ORIGINAL_COMMAND": "analytics-mcp --caller mallory",
               "LANG": "mallory", "LC_ALL": "C"}
        rc, who = check_caller(["--callers-file", callers], env)
        check(rc == 0 and who == "alice (ssh key (callers file))",
              "SSH_USER_AUTH's key is mapped through the callers file", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller"], env)
        check(rc == 0 and who == "alice (ssh key (callers file))",
              "--require-key-caller accepts a mapped key", who)
        rc, who = check_caller(["--callers-file", callers, "--caller", "bob"],
                               env)
        check(who.startswith("bob (--caller)"), "--caller wins", who)
        login = subprocess.run(["id", "-un"], stdout=subprocess.PIPE,
                               text=True).stdout.strip()
        rc, who = check_caller(["--callers-file", callers],
                               {"SSH_ORIGINAL_COMMAND": "--caller mallory"})
        check(who == "%s (login name)" % login,
              "without SSH_USER_AUTH the login name is the caller; "
              "SSH_ORIGINAL_COMMAND is ignored", who)
        with open(callers, "w") as f:
            f.write("SHA256:someoneelse carol\n")
        rc, who = check_caller(["--callers-file", callers], env)
        check(who == "%s (login name)" % login,
              "an unmapped key falls back to the login name", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller"], env)
        check(rc == 1 and "--require-key-caller" in who,
              "--require-key-caller refuses an unmapped key", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller"],
                               {"SSH_ORIGINAL_COMMAND": "x"})
        check(rc == 1, "--require-key-caller refuses a session without "
              "SSH_USER_AUTH", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller", "--caller", "ops"],
                               env)
        check(rc == 0 and who.startswith("ops (--caller)"),
              "--caller still satisfies --require-key-caller", who)
        os.chmod(callers, 0o666)
        rc, who = check_caller(["--callers-file", callers], env)
        check(rc == 1 and "writable by no one else" in who,
              "a callers file others can write is refused", who)
        os.chmod(callers, 0o644)
        os.chown(callers, 65534, 65534)
        rc, who = check_caller(["--callers-file", callers], env)
        check(rc == 1 and "owned by root" in who,
              "a callers file not owned by root is refused", who)

    s = Server(caller="alice")
    s.request("initialize", {"protocolVersion": "2025-11-25",
                             "capabilities": {},
                             "clientInfo": {"name": "mallory",
                                            "version": "1"}})
    r = s.tool("query", sql="SELECT current_setting('application_name')")
    check(r["structuredContent"]["rows"] == [["analytics-mcp/alice"]],
          "the MCP clientInfo does not change the caller")
    s.stop()
    check("caller=alice" in s.log() and "mallory" not in s.log(),
          "the audit names the caller, not the clientInfo")


def test_secrets_and_check():
    pw_dsn = "host=127.0.0.1 port=%s dbname=%s user=analytics_ro " \
             "password=%s" % (PORT, DB, RO_PASSWORD)
    p = subprocess.run([BINARY, "--check", "--dsn", pw_dsn, "--caller", "ops"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, text=True)
    check(p.returncode == 0 and "role: analytics_ro" in p.stdout
          and "default_transaction_read_only: on" in p.stdout
          and "readable_schemas: fuel,reporting,tickets,tracksolid"
          in p.stdout and "application_name: analytics-mcp/ops" in p.stdout
          and "caller: ops (--caller)" in p.stdout,
          "--check reports role, read-only state, schemas, caller", p.stdout)
    check(RO_PASSWORD not in p.stdout + p.stderr,
          "--check never prints the password")
    bad = pw_dsn.replace(RO_PASSWORD, "wrong" + RO_PASSWORD[:8])
    p = subprocess.run([BINARY, "--check", "--dsn", bad],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, text=True)
    check(p.returncode == 1 and "unavailable" in p.stdout
          and "wrong" not in p.stdout + p.stderr,
          "--check fails with 1 on a bad password, without printing it",
          p.stdout)

    s = Server(dsn=pw_dsn)
    s.initialize()
    r = s.tool("query", sql="SELECT current_user")
    check(r["structuredContent"]["rows"] == [["analytics_ro"]],
          "a DSN with a password works over TCP")
    with open("/proc/%d/cmdline" % s.proc.pid, "rb") as f:
        cmdline = f.read()
    check(RO_PASSWORD.encode() not in cmdline,
          "the DSN is scrubbed from argv (ps shows no password)")
    s.stop()
    check(RO_PASSWORD not in s.log(), "no password in stderr")

    s = Server(dsn=bad)
    s.initialize()
    r = s.tool("query", sql="SELECT 1")
    check(r["isError"] and "wrong" not in text_of(r)
          and "password authentication failed" in text_of(r),
          "a failed login says why without the password", text_of(r))
    s.stop()


def test_limits_input():
    s = Server("--max-line", "1024")
    s.initialize()
    s.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","pad":"' +
               b"x" * 3000 + b'"}\n')
    r = s.recv(5)
    check(r is not None and r.get("error", {}).get("code") == -32600
          and "1024" in r["error"]["message"] and "id" not in r,
          "a line over --max-line is drained and answered", r)
    r = s.request("ping")
    check(r is not None and r.get("result") == {},
          "the session goes on after an overlong line")
    s.send_raw(b'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":'
               b'{"name":"query","arguments":{"sql":"SELECT 1"}}}\r\n')
    r = s.recv(10)
    check(r is not None and r.get("id") == 2 and not r["result"]["isError"],
          "CRLF line endings are accepted")
    s.stop()

    big = "SELECT '" + "a" * (1 << 20) + "' AS big"
    s = Server("--max-bytes", str(2 * 1024 * 1024))
    s.initialize()
    r = s.tool("query", sql="SELECT length(%s) AS n FROM (%s) q" % (
        "big", big))
    check(not r["isError"] and r["structuredContent"]["rows"] == [[1 << 20]],
          "a 1 MiB query passes intact", text_of(r)[:200])
    s.stop()


def main():
    return run_tests([
        test_tools_list, test_catalog, test_query_types, test_truncation,
        test_errors, test_writes_blocked, test_timeout_and_cancel,
        test_attribution_and_audit, test_attribution_sources,
        test_secrets_and_check, test_limits_input, test_connect_timeout,
        test_database_down_and_back])


if __name__ == "__main__":
    sys.exit(main())
