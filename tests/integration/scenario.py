#!/usr/bin/env python3
"""The analyst's model: questions answered by chains of tool calls.

usage: scenario.py PGDIR BINARY  (see tests/mcptest.py)

Each scenario plays what a model does: it learns the data first, then
asks.  Every fact a later call relies on (the time zone, where the data
ends, a status value, a join key, a column's name) is taken from an
earlier result's structuredContent, which is all Claude Code shows the
model, and the test asserts it was there.  The final answer is checked
against the same question put to PostgreSQL directly.
"""
import os
import sys

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, psql, run_tests, text_of


def sc(result):
    """structuredContent, or fail loudly."""
    if result.get("isError") or "structuredContent" not in result:
        raise AssertionError(text_of(result)[:300])
    return result["structuredContent"]


def column(desc, name):
    return next((c for c in desc["columns"] if c["name"] == name), None)


def rows_of(sql):
    """The rows PostgreSQL gives for sql, as lists of strings."""
    rc, out, err = psql(sql, extra=("-F", "|"))
    if rc != 0:
        raise AssertionError(err)
    return [line.split("|") for line in out.splitlines()]


def data_end(desc, col):
    """Where the data ends, from describe_table's range_estimate."""
    c = column(desc, col)
    return c and c.get("range_estimate", {}).get("high")


def test_cost_centres_by_distance():
    """Top cost centres by distance over the last 30 days of data."""
    s = Server()
    s.initialize()
    facts = sc(s.tool("list_schemas"))
    check(facts.get("time_zone") and facts.get("now"),
          "the time zone and the current time are known first", facts)
    views = {t["name"]: t for t in
             sc(s.tool("list_tables", schema="reporting"))["tables"]}
    check("v_daily_summary" in views,
          "the daily summary view is found in the listing", list(views))
    summary = sc(s.tool("describe_table", schema="reporting",
                        table="v_daily_summary"))
    names = [c["name"] for c in summary["columns"]]
    check({"day", "cost_centre", "distance_km"} <= set(names),
          "its columns name the day, the cost centre and the distance",
          names)
    positions = sc(s.tool("describe_table", schema="tracksolid",
                          table="positions"))
    end = data_end(positions, "recorded_at")
    check(end is not None and end < facts["now"],
          "where the data ends is known, and it is before now", end)
    sql = ("SELECT cost_centre, round(sum(distance_km), 1) AS km "
           "FROM reporting.v_daily_summary WHERE day > "
           "('%s'::timestamptz - interval '30 days')::date "
           "GROUP BY cost_centre ORDER BY km DESC, cost_centre LIMIT 5"
           % end)
    answer = sc(s.tool("query", sql=sql))["rows"]
    want = rows_of(sql)
    check(answer and [[a[0], a[1]] for a in answer] ==
          [[w[0] or None, float(w[1])] for w in want],
          "the top cost centres by distance match PostgreSQL's", answer)
    s.stop()


def test_open_tickets_by_region_and_sla():
    """Open INC tickets by region and SLA status."""
    s = Server()
    s.initialize()
    inc = sc(s.tool("describe_table", schema="tickets", table="inc"))
    status = column(inc, "normalized_status")
    values = [v["value"] for v in (status or {}).get("common_values", [])]
    check("open" in values,
          "the status values, 'open' among them, come from the statistics",
          values)
    check(column(inc, "region") and column(inc, "sla_status"),
          "region and sla_status are columns")
    sql = ("SELECT region, coalesce(sla_status, '-') AS sla, count(*) AS n "
           "FROM tickets.inc WHERE normalized_status = 'open' "
           "GROUP BY 1, 2 ORDER BY 1, 2")
    answer = sc(s.tool("query", sql=sql))["rows"]
    check(answer and [[str(x) for x in a] for a in answer] == rows_of(sql),
          "open tickets by region and SLA status match PostgreSQL's",
          answer)
    s.stop()


def test_mttr_by_cluster_this_month():
    """MTTR by cluster for the latest month of data (the first try)."""
    s = Server()
    s.initialize()
    facts = sc(s.tool("list_schemas"))
    inc = sc(s.tool("describe_table", schema="tickets", table="inc"))
    end = data_end(inc, "opened_at")
    check(end and column(inc, "cluster") and column(inc, "mttr"),
          "cluster, mttr and where opened_at ends are known", end)
    sql = ("SELECT cluster, avg(mttr) AS mttr FROM tickets.inc "
           "WHERE opened_at >= date_trunc('month', '%s'::timestamptz) "
           "AND mttr IS NOT NULL GROUP BY cluster ORDER BY cluster" % end)
    r = s.tool("query", sql=sql)
    check(not r["isError"], "a bare column named cluster passes the guard "
          "on the first try", text_of(r)[:200])
    answer = sc(r)["rows"]
    want = rows_of("SET TimeZone = '%s'; %s" % (facts["time_zone"], sql))
    check(answer and [[a[0], a[1]] for a in answer] ==
          [[w[0], w[1]] for w in want],
          "MTTR by cluster matches PostgreSQL's", (answer, want))
    s.stop()


def test_fuel_by_vehicle():
    """Litres by vehicle plate over the data's last week: a join."""
    s = Server()
    s.initialize()
    records = sc(s.tool("describe_table", schema="fuel", table="records"))
    devices = sc(s.tool("describe_table", schema="tracksolid",
                        table="devices"))
    keys = {c["name"] for c in records["columns"]} & \
        {i["columns"][0] for i in devices["indexes"] if i["unique"]}
    check("imei" in keys, "the join key imei: a fuel column that is a "
          "unique key of devices (from its indexes)", keys)
    end = data_end(records, "filled_at")
    check(end is not None, "where the fuel data ends is known", end)
    sql = ("SELECT d.plate, sum(r.litres) AS litres FROM fuel.records r "
           "JOIN tracksolid.devices d ON d.imei = r.imei WHERE r.filled_at "
           "> '%s'::timestamptz - interval '7 days' GROUP BY d.plate "
           "ORDER BY litres DESC, d.plate LIMIT 5" % end)
    answer = sc(s.tool("query", sql=sql))["rows"]
    check(answer and [[a[0], a[1]] for a in answer] ==
          [[w[0], float(w[1])] for w in rows_of(sql)],
          "litres by plate match PostgreSQL's", answer)
    s.stop()


def test_tickets_near_cluster_centre():
    """Open tickets within 5 km of a cluster's centre: GeoJSON and FKs."""
    s = Server()
    s.initialize()
    inc = sc(s.tool("describe_table", schema="tickets", table="inc"))
    ref = [r for r in inc.get("references", [])
           if r["table"] == "tickets.geo_clusters"]
    check(ref and ref[0]["columns"] == ["cluster"],
          "inc.cluster references tickets.geo_clusters", inc.get("references"))
    clusters = sc(s.tool("sample_table", schema="tickets",
                         table="geo_clusters", n=1))
    names = [c["name"] for c in clusters["columns"]]
    first = dict(zip(names, clusters["rows"][0]))
    centre = first.get("centre", {})
    check(centre.get("type") == "Point",
          "the cluster's centre reads as a GeoJSON point", centre)
    lon, lat = centre["coordinates"]
    sql = ("SELECT count(*) FROM tickets.inc WHERE normalized_status = "
           "'open' AND ST_DWithin(geog, ST_SetSRID(ST_MakePoint(%s, %s), "
           "4326)::geography, 5000)" % (lon, lat))
    answer = sc(s.tool("query", sql=sql))["rows"]
    check(answer and str(answer[0][0]) == rows_of(sql)[0][0],
          "open tickets near the centre match PostgreSQL's", answer)
    s.stop()


def test_price_trend_on_a_partitioned_table():
    """Average diesel price per month, on a partitioned table."""
    s = Server()
    s.initialize()
    tables = {t["name"]: t for t in
              sc(s.tool("list_tables", schema="fuel"))["tables"]}
    prices = tables.get("station_prices", {})
    check((prices.get("estimated_rows") or 0) > 0,
          "the partitioned table's estimate counts its partitions' rows",
          prices)
    desc = sc(s.tool("describe_table", schema="fuel",
                     table="station_prices"))
    fuel = column(desc, "fuel_type")
    values = [v["value"] for v in (fuel or {}).get("common_values", [])]
    check("diesel" in values, "the fuel types come from the statistics",
          values)
    sql = ("SELECT date_trunc('month', observed_on)::date AS month, "
           "round(avg(price_per_litre), 2) AS price FROM fuel.station_prices "
           "WHERE fuel_type = 'diesel' GROUP BY 1 ORDER BY 1")
    plan = sc(s.tool("explain", sql=sql))
    check("station_prices" in plan["plan"],
          "explain shows the plan over the partitions first", plan)
    answer = sc(s.tool("query", sql=sql))["rows"]
    check(answer and [[a[0], a[1]] for a in answer] ==
          [[w[0], float(w[1])] for w in rows_of(sql)],
          "the monthly diesel price matches PostgreSQL's", answer)
    s.stop()


def main():
    return run_tests([
        test_cost_centres_by_distance, test_open_tickets_by_region_and_sla,
        test_mttr_by_cluster_this_month, test_fuel_by_vehicle,
        test_tickets_near_cluster_centre,
        test_price_trend_on_a_partitioned_table])


if __name__ == "__main__":
    sys.exit(main())
