#!/usr/bin/env python3
"""Tools and the catalog: tools/list, list_schemas, list_tables,
describe_table, list_functions, sample_table, and the byte budget of the
listings.

usage: tools_catalog.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import sys

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, psql, run_tests, text_of


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


# A readable schema of its own for the byte budget, outside the default
# --schemas: 30 tables and a 31st of 60 columns, 30 functions, each with
# a comment, so that every listing is several KiB.
BUDGET_SQL = r"""
CREATE SCHEMA IF NOT EXISTS budget;
DO $$ BEGIN
  FOR i IN 1..30 LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS budget.t%s (id int)',
                   lpad(i::text, 2, '0'));
    EXECUTE format('COMMENT ON TABLE budget.t%s IS %L', lpad(i::text, 2, '0'),
                   'table number ' || i || ' of the byte budget test');
    EXECUTE format('CREATE OR REPLACE FUNCTION budget.f%s(a integer, '
                   'b text DEFAULT %L) RETURNS integer LANGUAGE sql '
                   'IMMUTABLE AS %L', lpad(i::text, 2, '0'), 'x',
                   'SELECT $1');
    EXECUTE format('COMMENT ON FUNCTION budget.f%s(integer, text) IS %L',
                   lpad(i::text, 2, '0'),
                   'function number ' || i || ' of the byte budget test');
  END LOOP;
  EXECUTE 'CREATE TABLE IF NOT EXISTS budget.wide (' ||
    (SELECT string_agg(format('c%s integer NOT NULL DEFAULT %s',
                              lpad(i::text, 2, '0'), i), ', ')
     FROM generate_series(1, 60) i) || ')';
  FOR i IN 1..60 LOOP
    EXECUTE format('COMMENT ON COLUMN budget.wide.c%s IS %L',
                   lpad(i::text, 2, '0'),
                   'column number ' || i || ' of the byte budget test');
  END LOOP;
END $$;
GRANT USAGE ON SCHEMA budget TO analytics_ro;
GRANT SELECT ON ALL TABLES IN SCHEMA budget TO analytics_ro;
"""

BUDGET = 1024
ENVELOPE = 300      # the members around a listing: schema, table, kind...


def test_catalog_budget():
    rc, out, err = psql(BUDGET_SQL)
    check(rc == 0, "a schema of 31 tables, 30 functions and 60 columns",
          err)
    listings = [("list_tables", {"schema": "budget"}, "tables", 31),
                ("list_functions", {"schema": "budget"}, "functions", 30),
                ("describe_table", {"schema": "budget", "table": "wide"},
                 "columns", 60)]
    full = {}
    s = Server("--schemas", "budget")
    s.initialize()
    for tool, args, key, n in listings:
        r = s.tool(tool, **args)
        sc = r.get("structuredContent", {})
        full[tool] = [x["name"] for x in sc.get(key, [])]
        check(not r["isError"] and sc["truncated"] is False
              and len(full[tool]) == n
              and len(text_of(r).encode()) > 2 * BUDGET,
              "with the default budget %s lists all %d %s (%d bytes)" %
              (tool, n, key, len(text_of(r).encode())), text_of(r)[:300])
    s.stop()

    s = Server("--schemas", "budget", "--max-bytes", str(BUDGET))
    s.initialize()
    for tool, args, key, n in listings:
        r = s.tool(tool, **args)
        sc = r.get("structuredContent", {})
        names = [x["name"] for x in sc.get(key, [])]
        size = len(text_of(r).encode())
        check(not r["isError"] and sc["truncated"] is True
              and 0 < len(names) < n and names == full[tool][:len(names)]
              and size <= BUDGET + ENVELOPE
              and json.loads(text_of(r)) == sc,
              "--max-bytes %d: %s keeps the first %d of %d %s whole and "
              "says truncated (%d bytes)" % (BUDGET, tool, len(names), n,
                                             key, size), text_of(r)[:300])
    s.stop()


def main():
    return run_tests([test_tools_list, test_catalog, test_catalog_budget])


if __name__ == "__main__":
    sys.exit(main())
