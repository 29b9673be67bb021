#!/usr/bin/env python3
"""completion/complete: prompt arguments and template variables.

usage: complete.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import sys

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, psql, run_tests, scratch_schema

TEMPLATE = {"type": "ref/resource",
            "uri": "analytics://table/{schema}/{table}"}


def complete(s, ref, name, value, context=None):
    params = {"ref": ref, "argument": {"name": name, "value": value}}
    if context is not None:
        params["context"] = {"arguments": context}
    r = s.request("completion/complete", params)
    return r.get("result", {}).get("completion"), r


def test_complete():
    s = Server()
    init = s.initialize()
    check("completions" in init["result"]["capabilities"],
          "initialize declares completions")
    c, _ = complete(s, TEMPLATE, "schema", "t")
    check(c == {"values": ["tickets", "tracksolid"], "hasMore": False},
          "the template's {schema}: readable schemas by prefix", c)
    c, _ = complete(s, TEMPLATE, "table", "inc", {"schema": "tickets"})
    rc, out, _ = psql("SELECT relname FROM pg_class WHERE relnamespace = "
                      "'tickets'::regnamespace AND relkind IN ('r','p','v',"
                      "'m','f') AND NOT relispartition AND relname LIKE "
                      "'inc%' ORDER BY 1")
    check(c is not None and c["values"] == out.splitlines() and c["values"],
          "{table} within the {schema} already chosen", c)
    c, _ = complete(s, {"type": "ref/prompt", "name": "explore_table"},
                    "table", "tickets.geo")
    check(c is not None and c["values"] == ["tickets.geo_clusters",
                                            "tickets.geo_locations"],
          "explore_table's table: schema.table by prefix", c)
    c, _ = complete(s, {"type": "ref/prompt",
                        "name": "open_incidents_by_region"}, "region", "N")
    rc, out, _ = psql("SELECT DISTINCT region FROM tickets.geo_clusters "
                      "WHERE region LIKE 'N%' ORDER BY 1")
    check(c is not None and c["values"] == out.splitlines() and c["values"],
          "a region from the data", c)
    for value in ("%", "_", "tickets.%"):
        c, _ = complete(s, {"type": "ref/prompt", "name": "explore_table"},
                        "table", value)
        check(c == {"values": [], "hasMore": False},
              "%r is text, not a pattern" % value, c)
    c, _ = complete(s, {"type": "ref/prompt", "name": "mttr_by_cluster"},
                    "month", "2026")
    check(c == {"values": [], "hasMore": False},
          "an argument with nothing to offer completes to nothing", c)
    for params in [{}, {"ref": {"type": "ref/prompt"}, "argument": 5},
                   {"ref": {"type": "ref/prompt", "name": 1},
                    "argument": {"name": "x", "value": "y"}}]:
        r = s.request("completion/complete", params)
        check(r.get("error", {}).get("code") == -32602,
              "malformed params are -32602: %r" % params, r)
    s.stop()


def test_cap_and_no_database():
    with scratch_schema("manycomp", ["t%03d" % i for i in range(130)]):
        s = Server("--schemas", "manycomp")
        s.initialize()
        c, _ = complete(s, TEMPLATE, "table", "t", {"schema": "manycomp"})
        check(c is not None and len(c["values"]) == 100 and c["hasMore"]
              and c["values"][0] == "t000",
              "at most 100 values, hasMore when there are more", c and
              (len(c["values"]), c["hasMore"]))
        s.stop()
    s = Server(dsn="host=/nonexistent")
    s.initialize()
    c, _ = complete(s, TEMPLATE, "schema", "")
    check(c is not None and len(c["values"]) == 4,
          "{schema} needs no database", c)
    s.stop()


def main():
    return run_tests([test_complete, test_cap_and_no_database])


if __name__ == "__main__":
    sys.exit(main())
