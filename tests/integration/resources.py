#!/usr/bin/env python3
"""Resources: a resource per readable table, read as describe_table.

usage: resources.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import sys

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (BINARY, DSN, Server, check, psql, run_tests,
                     scratch_schema, sdk_client)


def all_resources(s):
    """Every page of resources/list, and how many pages there were."""
    out, cursor, pages = [], None, 0
    while pages < 100:
        r = s.request("resources/list", {} if cursor is None else
                      {"cursor": cursor})
        res = r["result"]
        out += res["resources"]
        pages += 1
        cursor = res.get("nextCursor")
        if cursor is None:
            break
    return out, pages


def test_list_and_read():
    s = Server()
    init = s.initialize()
    check("resources" in init["result"]["capabilities"]
          and "listChanged" not in init["result"]["capabilities"]
          ["resources"], "initialize declares resources, not listChanged",
          init["result"]["capabilities"])
    res, pages = all_resources(s)
    names = sorted(r["name"] for r in res)
    rc, out, _ = psql(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN "
        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN "
        "('reporting', 'tracksolid', 'tickets', 'fuel') AND c.relkind IN "
        "('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND "
        "has_table_privilege('analytics_ro', c.oid, 'SELECT') ORDER BY 1")
    check(names == sorted(out.splitlines()),
          "one resource per readable table, view and materialized view",
          (len(names), len(out.splitlines())))
    inc = [r for r in res if r["name"] == "tickets.inc"]
    check(inc and inc[0]["uri"] == "analytics://table/tickets/inc"
          and inc[0]["mimeType"] == "application/json"
          and inc[0]["title"].startswith("tickets.inc (table)")
          and inc[0].get("description"),
          "a resource has uri, name, title, description and mimeType", inc)
    r = s.request("resources/read", {"uri": "analytics://table/tickets/inc"})
    contents = r["result"]["contents"]
    body = json.loads(contents[0]["text"])
    check(contents[0]["uri"] == "analytics://table/tickets/inc"
          and contents[0]["mimeType"] == "application/json"
          and body["table"] == "inc" and body["primary_key"] == ["inc_id"]
          and any(c["name"] == "cluster" for c in body["columns"]),
          "resources/read gives what describe_table knows", body.get("table"))
    r = s.request("resources/templates/list")
    t = r["result"]["resourceTemplates"]
    check(t and t[0]["uriTemplate"] == "analytics://table/{schema}/{table}",
          "one template names the same URIs", t)
    s.stop()


def test_pages_and_errors():
    s = Server()
    s.initialize()
    with scratch_schema("manyres", ["t %03d/x" % i for i in range(150)]):
        s2 = Server("--schemas", "manyres")
        s2.initialize()
        res, pages = all_resources(s2)
        uris = [r["uri"] for r in res]
        check(len(res) == 150 and pages == 2 and len(set(uris)) == 150,
              "150 resources come in 2 pages by cursor", (len(res), pages))
        odd = [r for r in res if r["name"] == "manyres.t 007/x"]
        check(odd and odd[0]["uri"] == "analytics://table/manyres/"
              "t%20007%2Fx", "names are percent-encoded in URIs", odd)
        r = s2.request("resources/read", {"uri": odd[0]["uri"]})
        check("result" in r and json.loads(r["result"]["contents"][0]
                                           ["text"])["table"] == "t 007/x",
              "an encoded URI reads back", r)
        s2.stop()
    for uri, why in [("analytics://table/tickets/nosuch", "no table"),
                     ("analytics://table/pg_catalog/pg_class",
                      "not readable"),
                     ("analytics://table/tickets", "no table part"),
                     ("analytics://table/tickets/a%2", "bad escape"),
                     ("file:///etc/passwd", "another scheme")]:
        r = s.request("resources/read", {"uri": uri})
        check(r.get("error", {}).get("code") == -32002,
              "resources/read of %s: -32002 (%s)" % (uri, why), r)
    for params in [{"cursor": "x"}, {"cursor": 5}, {"cursor": "-1"}]:
        r = s.request("resources/list", params)
        check(r.get("error", {}).get("code") == -32602,
              "a bad cursor is -32602: %r" % params, r)
    r = s.request("resources/read", {})
    check(r.get("error", {}).get("code") == -32602,
          "a missing uri is -32602", r)
    r = s.request("ping")
    check(r.get("result") == {}, "the session goes on")
    s.stop()


def test_sdk_client():
    """The official TypeScript SDK (v1) lists every page, reads, lists the
    template and completes its variables, checking each result's shape."""
    ran = sdk_client(["--resources"], [BINARY, "--dsn", DSN, "--caller",
                                       "sdk"])
    if ran is None:
        return
    rc, s, out = ran
    read = s.get("read") or {}
    check(rc == 0 and s.get("ok") is True
          and "analytics://table/tickets/inc" in s.get("resources", [])
          and read.get("schema") and read.get("columns")
          and s.get("templates") == ["analytics://table/{schema}/{table}"]
          and s.get("schemas") == ["tickets"]
          and "inc" in s.get("tables", []),
          "the TypeScript SDK lists, reads and completes resources", out)


def main():
    return run_tests([test_list_and_read, test_pages_and_errors,
                      test_sdk_client])


if __name__ == "__main__":
    sys.exit(main())
