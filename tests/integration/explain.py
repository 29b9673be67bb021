#!/usr/bin/env python3
"""The explain tool: plans without running, analyze within the limits.

usage: explain.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import sys
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, run_tests, text_of


def test_plan():
    s = Server()
    s.initialize()
    r = s.tool("explain", sql="SELECT * FROM tickets.inc WHERE opened_at "
               "> now() - interval '30 days'")
    sc = r.get("structuredContent", {})
    check(not r["isError"] and "Scan" in sc.get("plan", "")
          and " on inc " in sc["plan"]
          and "actual time" not in sc["plan"] and sc["analyzed"] is False
          and sc["truncated"] is False,
          "explain returns the plan as text", text_of(r)[:300])
    t0 = time.monotonic()
    r = s.tool("explain", sql="SELECT pg_sleep(5)")
    check(not r["isError"] and time.monotonic() - t0 < 3,
          "plain explain does not run the query")
    t0 = time.monotonic()
    r = s.tool("explain", sql="SELECT pg_sleep(0.3), count(*) FROM "
               "tickets.inc", analyze=True)
    sc = r.get("structuredContent", {})
    check(not r["isError"] and "actual time" in sc.get("plan", "")
          and sc["analyzed"] is True and time.monotonic() - t0 >= 0.3,
          "analyze: true runs it and shows actual times", text_of(r)[:300])
    for sql in ["DELETE FROM tickets.inc",
                "SELECT (1::bigint).pg_advisory_lock",
                "SELECT 1; SELECT 2"]:
        r = s.tool("explain", sql=sql, analyze=True)
        check(r["isError"] and "query rejected" in text_of(r),
              "explain goes through the same guard: " + sql)
    r = s.tool("explain", sql="SELECT 1 FROM\nnowhere")
    check(r["isError"] and "LINE 2: nowhere" in text_of(r),
          "an error points into the analyst's SQL", text_of(r))
    r = s.tool("explain", sql="SELECT 1", analyze="yes")
    check(r["isError"] and "true or false" in text_of(r),
          "analyze must be a boolean", text_of(r))
    s.stop()


def test_limits():
    s = Server("--statement-timeout", "1")
    s.initialize()
    r = s.tool("explain", sql="SELECT pg_sleep(3)", analyze=True)
    check(r["isError"] and "57014" in text_of(r),
          "analyze runs under the deadline", text_of(r))
    r = s.tool("query", sql="SELECT pg_sleep(3)")
    check(r["isError"] and "explain tool" in text_of(r),
          "the timeout error's hint points at explain", text_of(r))
    s.stop()
    s = Server("--max-bytes", "1024")
    s.initialize()
    sql = " UNION ALL ".join("SELECT inc_id FROM tickets.inc WHERE "
                             "cluster = 'c%d'" % i for i in range(40))
    r = s.tool("explain", sql=sql)
    sc = r.get("structuredContent", {})
    check(not r["isError"] and sc.get("truncated") is True
          and len(sc.get("plan", "").encode()) <= 1024 and "note" in sc,
          "a long plan is cut at the budget on a line", text_of(r)[:200])
    s.stop()


def main():
    return run_tests([test_plan, test_limits])


if __name__ == "__main__":
    sys.exit(main())
