#!/usr/bin/env python3
"""Errors and writes: SQL errors as isError text, and every write
refused by each layer alone.

usage: errors_writes.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import re
import sys

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, psql, run_tests, text_of


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


def main():
    return run_tests([test_errors, test_writes_blocked])


if __name__ == "__main__":
    sys.exit(main())
