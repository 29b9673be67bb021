#!/usr/bin/env python3
"""Tools and the catalog: tools/list, list_schemas, list_tables,
describe_table, list_functions, sample_table, and the byte budget of the
listings; what describe_table tells beyond the columns (keys, indexes,
statistics, a view's definition), row estimates of parents whose rows
live in children, and every structuredContent against its outputSchema.

usage: tools_catalog.py PGDIR BINARY  (see tests/mcptest.py)
"""
import datetime
import json
import os
import sys
import time

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
                                   "sample_table", "explain"]),
          "tools/list has the seven tools", sorted(tools))
    check(all(t["annotations"] == {"title": t["title"],
                                   "readOnlyHint": True,
                                   "destructiveHint": False,
                                   "idempotentHint": True,
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


# ---- a validator for the JSON Schema subset the tools use --------------

SCHEMA_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float))
    and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
# Keywords that only annotate; any other unknown keyword is an error, so
# that a schema never passes because the validator ignored part of it.
SCHEMA_NOTES = {"description", "default", "minimum", "maximum", "title"}


def iso_time(s):
    """A datetime from an ISO 8601 string with an offset, or None."""
    try:
        t = datetime.datetime.fromisoformat(s)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo is not None else None


def schema_errors(schema, value, path="$"):
    """What in value breaks schema (type, properties, required, items,
    enum, format date-time, anyOf), as a list.  Strict beyond JSON Schema: an
    object must be described by properties that name each of its
    members, so that a schema says precisely what a model will read."""
    errs = []
    for kw in schema:
        if kw not in SCHEMA_NOTES and kw not in (
                "type", "properties", "required", "items", "enum",
                "format", "additionalProperties", "anyOf"):
            errs.append("%s: unsupported keyword %s" % (path, kw))
    if "anyOf" in schema:
        branches = [schema_errors(b, value, path) for b in schema["anyOf"]]
        if all(branches):
            errs.append("%s: %r matches no branch of anyOf: %s" % (
                path, value, "; ".join(b[0] for b in branches)))
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(SCHEMA_TYPES[t](value) for t in types):
            return errs + ["%s: %r is not %s" % (path, value, types)]
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in %s" % (path, value, schema["enum"]))
    if schema.get("format") == "date-time" and isinstance(value, str) \
            and iso_time(value) is None:
        errs.append("%s: %r is not a date-time" % (path, value))
    if isinstance(value, dict) and types is not None:
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errs.append("%s: %s missing" % (path, k))
        for k, v in value.items():
            if k in props:
                errs += schema_errors(props[k], v, path + "." + k)
            else:
                errs.append("%s: %s is not in the schema" % (path, k))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errs += schema_errors(schema["items"], v, "%s[%d]" % (path, i))
    return errs


def output_schemas(s):
    r = s.request("tools/list")
    return {t["name"]: t["outputSchema"] for t in r["result"]["tools"]}


def check_schema(schemas, tool, r, what):
    sc = r.get("structuredContent")
    errs = ["no structuredContent"] if sc is None else \
        schema_errors(schemas[tool], sc)
    check(not r.get("isError") and not errs,
          "%s: structuredContent matches the outputSchema" % what,
          "\n".join(errs) or text_of(r))


NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}


def test_validator():
    # The validator itself must be able to fail.
    schema = {"type": "object", "properties": {
        "n": {"type": ["integer", "null"]},
        "k": {"type": "string", "enum": ["a"]},
        "t": {"type": "string", "format": "date-time"},
        "l": {"type": "array", "items": {"type": "boolean"}}},
        "required": ["n"]}
    check(not schema_errors(schema, {"n": None, "k": "a", "l": [True],
                                     "t": "2026-01-01T00:00:00+03:00"})
          and schema_errors(schema, {"n": 1.5})
          and schema_errors(schema, {"n": True})
          and schema_errors(schema, {})
          and schema_errors(schema, {"n": 1, "k": "b"})
          and schema_errors(schema, {"n": 1, "t": "yesterday"})
          and schema_errors(schema, {"n": 1, "l": [1]})
          and schema_errors(schema, {"n": 1, "extra": 1})
          and schema_errors({"type": "object"}, {"a": 1})
          and not schema_errors({}, {"a": 1})
          and schema_errors({"oneOf": []}, 1)
          and not schema_errors(NULLABLE_INT, None)
          and not schema_errors(NULLABLE_INT, 3)
          and schema_errors(NULLABLE_INT, "3"),
          "the test's schema validator tells good from bad")


def psql_value(sql):
    rc, out, err = psql(sql)
    if rc != 0:
        raise AssertionError(err)
    return out


def test_describe_keys_indexes_stats():
    s = Server()
    s.initialize()
    schemas = output_schemas(s)
    r = s.tool("describe_table", schema="tickets", table="inc")
    sc = r.get("structuredContent", {})
    check_schema(schemas, "describe_table", r, "describe_table tickets.inc")

    refs = {x.get("table"): x for x in sc.get("references", [])}
    check(refs.get("tickets.geo_clusters", {}).get("columns") == ["cluster"]
          and refs["tickets.geo_clusters"].get("table_columns") ==
          ["cluster"]
          and refs.get("tickets.geo_locations", {}).get("columns") ==
          ["site_id"]
          and refs["tickets.geo_locations"].get("table_columns") ==
          ["site_id"]
          and all(x.get("constraint") for x in refs.values()),
          "describe_table lists the foreign keys to geo_clusters and "
          "geo_locations", sc.get("references"))
    back = {x.get("table"): x for x in sc.get("referenced_by", [])}
    check(back.get("tickets.crq", {}).get("table_columns") == ["related_inc"]
          and back["tickets.crq"].get("columns") == ["inc_id"]
          and back.get("tickets.closure_events", {}).get("table_columns") ==
          ["inc_id"] and len(back) == 2,
          "describe_table lists the tables whose keys point at it (crq, "
          "closure_events)", sc.get("referenced_by"))

    idx = {x.get("name"): x for x in sc.get("indexes", [])}
    check(idx.get("inc_opened_at_idx", {}).get("columns") == ["opened_at"]
          and idx["inc_opened_at_idx"].get("method") == "btree"
          and idx["inc_opened_at_idx"].get("unique") is False
          and idx["inc_opened_at_idx"].get("primary") is False
          and "predicate" not in idx["inc_opened_at_idx"],
          "describe_table lists inc_opened_at_idx: btree on opened_at",
          sc.get("indexes"))
    check(idx.get("inc_pkey", {}).get("unique") is True
          and idx["inc_pkey"].get("primary") is True
          and idx["inc_pkey"].get("columns") == ["inc_id"],
          "describe_table marks the primary key index unique and primary",
          idx.get("inc_pkey"))

    cols = {c.get("name"): c for c in sc.get("columns", [])}
    top, top_n = psql_value(
        "SELECT cluster || '|' || count(*) FROM tickets.inc "
        "GROUP BY cluster ORDER BY count(*) DESC, cluster LIMIT 1"
    ).split("|")
    total = int(psql_value("SELECT count(*) FROM tickets.inc"))
    mcv = cols.get("cluster", {}).get("common_values", [])
    freq = {m.get("value"): m.get("frequency") for m in mcv}
    check(0 < len(mcv) <= 5 and top in freq
          and abs(freq[top] - int(top_n) / total) < 0.02
          and cols["cluster"].get("distinct_estimate") == int(psql_value(
              "SELECT count(DISTINCT cluster) FROM tickets.inc")),
          "cluster: its most common values with their frequencies and "
          "its distinct count", cols.get("cluster"))

    lo, hi = psql_value(
        "SELECT to_json(min(opened_at)) #>> '{}' || '|' || "
        "(to_json(max(opened_at)) #>> '{}') FROM tickets.inc").split("|")
    rng = cols.get("opened_at", {}).get("range_estimate", {})
    low, high = iso_time(rng.get("low")), iso_time(rng.get("high"))
    day = datetime.timedelta(days=1)
    check(low is not None and high is not None
          and abs(low - iso_time(lo)) < day and abs(high - iso_time(hi)) < day,
          "opened_at: range_estimate low/high match min/max (%s, %s)" %
          (lo, hi), rng)

    nulls = float(psql_value(
        "SELECT avg((closed_at IS NULL)::int) FROM tickets.inc"))
    nf = cols.get("closed_at", {}).get("null_fraction")
    check(isinstance(nf, (int, float)) and nulls > 0
          and abs(nf - nulls) < 0.02,
          "closed_at: null_fraction %.3f matches the data" % nulls,
          cols.get("closed_at"))
    check("common_values" not in cols.get("inc_id", {})
          and "range_estimate" not in cols.get("summary", {})
          and isinstance(cols.get("inc_id", {}).get("distinct_estimate"),
                         int),
          "a unique key has no common values; text has no range",
          [cols.get("inc_id"), cols.get("summary")])
    s.stop()


def test_describe_view():
    s = Server()
    s.initialize()
    schemas = output_schemas(s)
    r = s.tool("describe_table", schema="tickets", table="inc_open_sla")
    sc = r.get("structuredContent", {})
    check_schema(schemas, "describe_table", r, "describe_table of a view")
    d = sc.get("definition", "")
    check(sc.get("kind") == "view" and "tickets.inc" in d
          and "normalized_status = 'open'" in d,
          "describe_table of a view returns its definition", sc)
    r = s.tool("describe_table", schema="reporting", table="v_trips")
    sc = r.get("structuredContent", {})
    check("tracksolid.positions" in sc.get("definition", "")
          and any(i.get("name") == "v_trips_trip_id_idx"
                  for i in sc.get("indexes", [])),
          "a materialized view's definition and indexes too",
          {k: v for k, v in sc.items() if k != "columns"})
    r = s.tool("describe_table", schema="tickets", table="crq")
    check("definition" not in r.get("structuredContent", {}),
          "a table has no definition member")
    s.stop()

    # The definition shares the byte budget and is cut with truncated.
    s = Server("--max-bytes", "1024")
    s.initialize()
    r = s.tool("describe_table", schema="reporting", table="v_trips")
    sc = r.get("structuredContent", {})
    size = len(json.dumps(sc, separators=(",", ":"), ensure_ascii=False
                          ).encode())
    check(not r["isError"] and sc.get("truncated") is True
          and size <= 1024 + ENVELOPE,
          "--max-bytes 1024: describe_table of a long view stays within "
          "the budget and says truncated (%d bytes)" % size)
    s.stop()


def count_rows(rel):
    return int(psql_value("SELECT count(*) FROM %s" % rel))


def close(estimate, count):
    return isinstance(estimate, int) and abs(estimate - count) <= \
        max(5, count // 20)


def test_parent_estimates():
    # autovacuum analyses a new partition, never its partitioned parent:
    # a month added since the last ANALYZE of the parent must count.
    rc, _, err = psql(
        "CREATE TABLE fuel.station_prices_2026_10 PARTITION OF "
        "fuel.station_prices FOR VALUES FROM ('2026-10-01') "
        "TO ('2026-11-01'); "
        "INSERT INTO fuel.station_prices SELECT station, fuel_type, "
        "observed_on + 92, price_per_litre FROM fuel.station_prices_2026_07; "
        "ANALYZE fuel.station_prices_2026_10")
    check(rc == 0, "a new partition with rows, analysed alone", err)
    try:
        s = Server()
        s.initialize()
        schemas = output_schemas(s)
        for schema, table in (("fuel", "station_prices"),
                              ("tracksolid", "heartbeats")):
            n = count_rows("%s.%s" % (schema, table))
            r = s.tool("list_tables", schema=schema)
            check_schema(schemas, "list_tables", r, "list_tables " + schema)
            t = [x for x in r.get("structuredContent", {}).get("tables", [])
                 if x.get("name") == table]
            check(t and close(t[0].get("estimated_rows"), n),
                  "list_tables: %s.%s estimates its children's %d rows" %
                  (schema, table, n), t)
            check(t and "hypertable" not in t[0],
                  "without TimescaleDB list_tables marks no hypertable", t)
            r = s.tool("describe_table", schema=schema, table=table)
            sc = r.get("structuredContent", {})
            check_schema(schemas, "describe_table", r,
                         "describe_table %s.%s" % (schema, table))
            check(close(sc.get("estimated_rows"), n),
                  "describe_table: %s.%s estimates its children's %d rows" %
                  (schema, table, n), sc.get("estimated_rows"))
        r = s.tool("describe_table", schema="fuel", table="station_prices")
        cols = {c.get("name"): c for c in
                r.get("structuredContent", {}).get("columns", [])}
        rng = cols.get("observed_on", {}).get("range_estimate", {})
        check(rng.get("low") == "2026-07-01"
              and rng.get("high") == psql_value(
                  "SELECT max(observed_on) FROM fuel.station_prices"),
              "a partitioned table's range_estimate takes in the partition "
              "analysed since its parent was", rng)
        r = s.tool("describe_table", schema="tracksolid", table="heartbeats")
        cols = {c.get("name"): c for c in
                r.get("structuredContent", {}).get("columns", [])}
        hi = iso_time(cols.get("received_at", {}).get("range_estimate", {})
                      .get("high"))
        last = iso_time(psql_value(
            "SELECT to_json(max(received_at)) #>> '{}' "
            "FROM tracksolid.heartbeats"))
        check(hi is not None and abs(hi - last) < datetime.timedelta(days=1),
              "an inheritance parent's statistics cover its chunks (data "
              "ends %s)" % last, cols.get("received_at"))
        s.stop()
    finally:
        psql("DROP TABLE IF EXISTS fuel.station_prices_2026_10")


# TimescaleDB's catalog table, as much of it as the server reads.
FAKE_TIMESCALEDB = """
CREATE SCHEMA _timescaledb_catalog;
CREATE TABLE _timescaledb_catalog.hypertable (
  id serial PRIMARY KEY, schema_name name NOT NULL, table_name name NOT NULL);
INSERT INTO _timescaledb_catalog.hypertable (schema_name, table_name)
VALUES ('tracksolid', 'heartbeats');
GRANT USAGE ON SCHEMA _timescaledb_catalog TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA _timescaledb_catalog TO PUBLIC;
"""


def test_hypertables():
    rc, _, err = psql(FAKE_TIMESCALEDB)
    check(rc == 0, "a stand-in for TimescaleDB's catalog", err)
    try:
        s = Server()
        s.initialize()
        schemas = output_schemas(s)
        r = s.tool("list_tables", schema="tracksolid")
        check_schema(schemas, "list_tables", r,
                     "list_tables with TimescaleDB")
        ht = {t.get("name"): t.get("hypertable") for t in
              r.get("structuredContent", {}).get("tables", [])}
        check(ht.get("heartbeats") is True and ht.get("positions") is False,
              "with TimescaleDB list_tables marks the hypertable", ht)
        r = s.tool("describe_table", schema="tracksolid", table="heartbeats")
        check_schema(schemas, "describe_table", r,
                     "describe_table of a hypertable")
        check(r.get("structuredContent", {}).get("hypertable") is True,
              "describe_table marks the hypertable")
        r = s.tool("describe_table", schema="tracksolid", table="positions")
        check(r.get("structuredContent", {}).get("hypertable") is False,
              "and not a plain table")
        s.stop()
    finally:
        psql("DROP SCHEMA IF EXISTS _timescaledb_catalog CASCADE")
    s = Server()
    s.initialize()
    r = s.tool("describe_table", schema="tracksolid", table="heartbeats")
    check(not r["isError"] and
          "hypertable" not in r.get("structuredContent", {}),
          "without the catalog describe_table works and marks nothing",
          text_of(r))
    s.stop()


def test_list_schemas_clock():
    s = Server()
    s.initialize()
    schemas = output_schemas(s)
    r = s.tool("list_schemas")
    sc = r.get("structuredContent", {})
    check_schema(schemas, "list_schemas", r, "list_schemas")
    now = iso_time(sc.get("now"))
    check(now is not None and abs(now.timestamp() - time.time()) < 120,
          "list_schemas: now is ISO 8601 with an offset, close to the "
          "real time", sc.get("now"))
    check(sc.get("time_zone") == psql_value("SHOW TimeZone")
          and now is not None and now.utcoffset() == datetime.timedelta(0),
          "list_schemas: the database's time zone (UTC here), and now in "
          "it", sc.get("time_zone"))
    check(sc.get("server_version") == psql_value("SHOW server_version"),
          "list_schemas: the server version", sc.get("server_version"))
    r = s.tool("list_functions")
    check_schema(schemas, "list_functions", r, "list_functions")
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
    return run_tests([test_tools_list, test_catalog, test_validator,
                      test_describe_keys_indexes_stats, test_describe_view,
                      test_parent_estimates, test_hypertables,
                      test_list_schemas_clock, test_catalog_budget])


if __name__ == "__main__":
    sys.exit(main())
