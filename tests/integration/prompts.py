#!/usr/bin/env python3
"""Prompts: prompts/list and prompts/get, read from the catalog.

usage: prompts.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import sys
import tempfile

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import BINARY, DSN, Server, check, psql, run_tests, sdk_client

NAMES = ["cost_centres_by_distance", "open_incidents_by_region",
         "mttr_by_cluster", "fuel_by_vehicle", "explore_table"]


def get(s, name, **arguments):
    return s.request("prompts/get", {"name": name, "arguments": arguments})


def message(reply):
    """The text of a prompts/get result's one user message, or None."""
    msgs = (reply or {}).get("result", {}).get("messages", [])
    if len(msgs) != 1 or msgs[0].get("role") != "user":
        return None
    c = msgs[0].get("content", {})
    return c.get("text") if c.get("type") == "text" else None


def listed(s):
    r = s.request("prompts/list")
    return {p["name"]: p for p in (r or {}).get("result", {}).get(
        "prompts", [])}


def test_initialize_declares_prompts():
    s = Server()
    r = s.initialize()
    caps = (r or {}).get("result", {}).get("capabilities", {})
    check(caps.get("prompts") == {"listChanged": False},
          "initialize declares prompts (listChanged false)", r)
    s.stop()


def test_list():
    s = Server()
    s.initialize()
    ps = listed(s)
    check(sorted(ps) == sorted(NAMES), "prompts/list lists the five "
          "prompts", sorted(ps))
    ok = len(ps) > 0 and all(p.get("description") and p.get("title") and
             isinstance(p.get("arguments"), list) and
             all(a.get("name") and a.get("description") and
                 isinstance(a.get("required"), bool)
                 for a in p["arguments"]) for p in ps.values())
    check(ok, "each has a title, a description and described arguments",
          ps)
    args = {n: [(a["name"], a["required"]) for a in p["arguments"]]
            for n, p in ps.items()}
    check(args.get("cost_centres_by_distance") == [("days", False)] and
          args.get("open_incidents_by_region") == [("region", False)] and
          args.get("mttr_by_cluster") == [("month", False)] and
          args.get("fuel_by_vehicle") == [("from", False), ("to", False)]
          and args.get("explore_table") == [("table", True)],
          "the arguments are as documented; only table is required", args)
    s.stop()


def test_get_names_real_columns():
    s = Server()
    s.initialize()
    rc, latest, _ = psql("SELECT to_char(max(closed_at), 'YYYY-MM') FROM "
                         "tickets.inc")
    cases = [
        ("cost_centres_by_distance", {"days": "7"},
         ["reporting.v_daily_summary", "last 7 days", "cost_centre",
          "distance_km", "day date"]),
        ("cost_centres_by_distance", {}, ["last 30 days"]),
        ("open_incidents_by_region", {},
         ["tickets.inc", "normalized_status", "sla_status", "region"]),
        ("open_incidents_by_region", {"region": "Rift Valley"},
         ["region 'Rift Valley'"]),
        ("mttr_by_cluster", {"month": "2026-08"},
         ["tickets.inc", "for 2026-08", "mttr interval", "cluster",
          "closed_at"]),
        ("mttr_by_cluster", {}, ["for %s?" % latest]),
        ("fuel_by_vehicle", {"from": "2026-09-01", "to": "2026-09-15"},
         ["fuel.records", "from 2026-09-01 to 2026-09-15", "litres",
          "filled_at", "plate"]),
        ("fuel_by_vehicle", {}, ["over all the data"]),
        ("explore_table", {"table": "tickets.crq"},
         ["tickets.crq", "ext_ref uuid", "sample_table"]),
    ]
    for name, a, want in cases:
        r = get(s, name, **a)
        text = message(r)
        ok = text is not None and all(w in text for w in want) and \
            "describe_table" in text and "query" in text and \
            "explain" in text and \
            r["result"].get("description")
        check(ok, "prompts/get %s %s: one user message naming the table, "
              "its columns and the tools" % (name, a),
              text if text is not None else r)
    check(rc == 0 and latest.startswith("2026-"),
          "the fixture has closed incidents", latest)
    s.stop()


def test_renamed_column_shows():
    s = Server()
    s.initialize()
    rc, _, err = psql("ALTER TABLE tickets.inc RENAME COLUMN mttr TO "
                      "time_to_repair")
    try:
        check(rc == 0, "renamed tickets.inc.mttr", err)
        text = message(get(s, "mttr_by_cluster", month="2026-09")) or ""
        check("time_to_repair interval" in text and
              "Not there (renamed or dropped?): mttr" in text and
              "Columns to use: cluster, region, opened_at" in text,
              "prompts/get shows the renamed column and what is missing",
              text)
    finally:
        rc, _, err = psql("ALTER TABLE tickets.inc RENAME COLUMN "
                          "time_to_repair TO mttr")
        check(rc == 0, "renamed it back", err)
    text = message(get(s, "mttr_by_cluster", month="2026-09")) or ""
    check("mttr interval" in text and "Not there" not in text,
          "the next prompts/get sees the column back", text)
    s.stop()


def test_unreadable_table_not_listed():
    s = Server()
    s.initialize()
    acl = "SELECT relacl::text FROM pg_class WHERE oid = 'fuel.records'" \
        "::regclass"
    _, before, _ = psql(acl)
    rc, _, err = psql("REVOKE SELECT ON fuel.records FROM analytics_ro")
    try:
        check(rc == 0, "revoked SELECT on fuel.records", err)
        ps = listed(s)
        check("fuel_by_vehicle" not in ps and len(ps) == 4,
              "a prompt whose table is not readable is not listed",
              sorted(ps))
        r = get(s, "fuel_by_vehicle")
        check(r.get("error", {}).get("code") == -32602 and
              "not readable" in r["error"]["message"],
              "prompts/get of it is -32602", r)
        r = get(s, "explore_table", table="fuel.records")
        check(r.get("error", {}).get("code") == -32602 and
              "fuel.records" not in r["error"]["message"].split(
                  "it has:")[-1].replace(" ", "").split(","),
              "explore_table refuses an unreadable table", r)
    finally:
        rc, _, err = psql("GRANT SELECT ON fuel.records TO analytics_ro")
        _, after, _ = psql(acl)
        check(rc == 0 and after == before,
              "the grant is restored exactly", "%s / %s %s" %
              (before, after, err))
    check("fuel_by_vehicle" in listed(s),
          "listed again once readable")
    s.stop()


def test_bad_arguments():
    s = Server()
    s.initialize()
    cases = [
        ("no_such_prompt", {}, "unknown prompt"),
        ("cost_centres_by_distance", {"days": "0"}, "from 1 to 3650"),
        ("cost_centres_by_distance", {"days": "3651"}, "from 1 to 3650"),
        ("cost_centres_by_distance", {"days": "1e3"}, "from 1 to 3650"),
        ("cost_centres_by_distance", {"days": " 7"}, "from 1 to 3650"),
        ("cost_centres_by_distance", {"days": 30}, "must be a string"),
        ("cost_centres_by_distance", {"weeks": "2"},
         "unknown argument \"weeks\""),
        ("open_incidents_by_region", {"region": "x'); DROP TABLE y; --"},
         "region name"),
        ("open_incidents_by_region", {"region": None}, "must be a string"),
        ("mttr_by_cluster", {"month": "2026-9"}, "YYYY-MM"),
        ("mttr_by_cluster", {"month": "2026-13"}, "YYYY-MM"),
        ("mttr_by_cluster", {"month": "September"}, "YYYY-MM"),
        ("fuel_by_vehicle", {"from": "2026-02-29"}, "YYYY-MM-DD"),
        ("fuel_by_vehicle", {"to": "2026/09/01"}, "YYYY-MM-DD"),
        ("fuel_by_vehicle", {"from": "2026-09-10", "to": "2026-09-01"},
         "is after"),
        ("explore_table", {}, "missing argument \"table\""),
        ("explore_table", {"table": ""}, "missing argument \"table\""),
        ("explore_table", {"table": "inc"}, "schema.table"),
        ("explore_table", {"table": "tickets.inc.x"}, "schema.table"),
        ("explore_table", {"table": "infrastructure.hosts"},
         "not readable here"),
        ("explore_table", {"table": "tickets.nope"},
         "no readable table or view \"nope\""),
        ("explore_table", {"table": "tickets.inc; DROP TABLE x"},
         "no readable table or view"),
    ]
    for name, a, want in cases:
        r = get(s, name, **a)
        e = (r or {}).get("error", {})
        check(e.get("code") == -32602 and want in e.get("message", ""),
              "prompts/get %s %s is -32602 (%s)" % (name, a, want), r)
    r = s.request("prompts/get", {"name": "mttr_by_cluster",
                                  "arguments": "2026-09"})
    check(r.get("error", {}).get("code") == -32602,
          "arguments that are not an object are -32602", r)
    r = s.request("prompts/list", {"cursor": "abc"})
    check(r.get("error", {}).get("code") == -32602, "a cursor is -32602", r)
    check(message(get(s, "explore_table", table="tickets.inc")) is not None
          and s.request("ping") == {"jsonrpc": "2.0", "id": s.next_id - 1,
                                    "result": {}},
          "the session goes on after the errors")
    s.stop()


def test_database_down():
    s = Server(dsn="host=/nonexistent/analytics-mcp dbname=none")
    s.initialize()
    s.request("ping")
    ps = listed(s)
    check(sorted(ps) == sorted(NAMES), "without the database prompts/list "
          "still lists every prompt", sorted(ps))
    r = get(s, "mttr_by_cluster", month="2026-09")
    e = (r or {}).get("error", {})
    check(e.get("code") == -32603 and "database is unavailable" in
          e.get("message", ""), "prompts/get says the database is down", r)
    s.stop()


def test_sdk_client():
    """The official TypeScript SDK lists and gets them, checking shapes."""
    gets = [{"name": "cost_centres_by_distance", "arguments": {"days": "14"}},
            {"name": "open_incidents_by_region", "arguments": {}},
            {"name": "mttr_by_cluster", "arguments": {"month": "2026-09"}},
            {"name": "fuel_by_vehicle", "arguments": {"from": "2026-09-01",
                                                      "to": "2026-09-30"}},
            {"name": "explore_table", "arguments": {"table": "tickets.inc"}}]
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(gets, f)
        f.flush()
        ran = sdk_client(["--prompts", f.name],
                         [BINARY, "--dsn", DSN, "--caller", "sdk"])
    if ran is None:
        return
    rc, summary, out = ran
    check(rc == 0 and summary.get("ok") is True and
          sorted(summary.get("prompts", [])) == sorted(NAMES) and
          all("describe_table" in g.get("text", "")
              for g in summary.get("gets", [])) and
          len(summary.get("gets", [])) == 5,
          "the TypeScript SDK lists and gets every prompt", out)


if __name__ == "__main__":
    sys.exit(run_tests([test_initialize_declares_prompts, test_list,
                        test_get_names_real_columns,
                        test_renamed_column_shows,
                        test_unreadable_table_not_listed,
                        test_bad_arguments, test_database_down,
                        test_sdk_client]))
