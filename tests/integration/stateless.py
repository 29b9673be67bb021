#!/usr/bin/env python3
"""The 2026-07-28 (stateless) era against a real database, as raw lines.

What the golden transcript (golden/stateless.in) cannot show without a
database: progress, the catalog's not-found, paging resources and the
same session answering both eras.  The real clients of this era are in
clients.py.

usage: stateless.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, run_tests, scratch_schema

VERSION = "2026-07-28"


def meta(**more):
    m = {"io.modelcontextprotocol/protocolVersion": VERSION,
         "io.modelcontextprotocol/clientCapabilities": {}}
    m.update(more)
    return m


def stateless(s, method, timeout=30, _meta=None, **params):
    """Send a stateless request and return its reply (notifications are
    collected in s.notes)."""
    rid = s.next_id
    s.next_id += 1
    params["_meta"] = _meta if _meta is not None else meta()
    s.send({"jsonrpc": "2.0", "id": rid, "method": method,
            "params": params})
    s.notes = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = s.recv(deadline - time.monotonic())
        if m is None:
            return None
        if m.get("id") == rid:
            return m
        s.notes.append(m)
    return None


def discovered():
    s = Server()
    r = stateless(s, "server/discover")
    assert r is not None and "result" in r, r
    return s


def test_results_carry_result_type():
    s = discovered()
    for method, params, cached in (
            ("tools/list", {}, True),
            ("prompts/list", {}, True),
            ("resources/list", {}, True),
            ("resources/templates/list", {}, True),
            ("resources/read", {"uri": "analytics://table/tickets/inc"},
             True),
            ("prompts/get", {"name": "explore_table",
                             "arguments": {"table": "tickets.inc"}}, False),
            ("completion/complete", {
                "ref": {"type": "ref/prompt", "name": "explore_table"},
                "argument": {"name": "table", "value": "tickets.i"}}, False),
            ("tools/call", {"name": "query",
                            "arguments": {"sql": "SELECT 1 AS one"}},
             False)):
        r = stateless(s, method, **params)
        res = (r or {}).get("result", {})
        ok = res.get("resultType") == "complete"
        if cached:
            ok = ok and isinstance(res.get("ttlMs"), int) and \
                res["ttlMs"] >= 0 and res.get("cacheScope") in (
                    "public", "private")
        else:
            ok = ok and "ttlMs" not in res and "cacheScope" not in res
        check(ok, "2026-07-28 %s: resultType%s" % (
            method, ", ttlMs and cacheScope" if cached else " only"),
            str(r)[:600])
    s.stop()


def test_catalog_answers_private():
    """What depends on the analyst's grants is never shared between them."""
    s = discovered()
    for method, params in (("resources/list", {}), ("prompts/list", {}),
                           ("resources/read",
                            {"uri": "analytics://table/tickets/inc"})):
        r = stateless(s, method, **params)
        check(r is not None and r["result"].get("cacheScope") == "private",
              "2026-07-28 %s is cacheScope private" % method, r)
    s.stop()


def test_progress_in_meta():
    s = discovered()
    sql = "SELECT g, pg_sleep(0.0025) FROM generate_series(1, 1000) g"
    r = stateless(s, "tools/call", _meta=meta(progressToken="p-1"),
                  name="query", arguments={"sql": sql, "max_rows": 1000})
    prog = [n["params"]["progress"] for n in s.notes
            if n.get("method") == "notifications/progress"
            and n["params"].get("progressToken") == "p-1"]
    check(r is not None and r["result"]["isError"] is False
          and r["result"]["resultType"] == "complete" and len(prog) >= 2
          and prog == sorted(set(prog)),
          "2026-07-28: _meta.progressToken brings progress before the reply",
          (prog, str(r)[:300]))
    s.stop()


def test_not_found_is_invalid_params():
    """Not-found is -32602 in this era, -32002 in the handshake one, for a
    table the catalog lacks in a readable schema too."""
    uri = "analytics://table/tickets/no_such_table"
    s = discovered()
    r = stateless(s, "resources/read", uri=uri)
    check(r is not None and r.get("error", {}).get("code") == -32602
          and "no_such_table" in r["error"]["message"],
          "2026-07-28: a table the catalog lacks is -32602", r)
    s.stop()
    s = Server()
    s.initialize()
    r = s.request("resources/read", {"uri": uri})
    check(r is not None and r.get("error", {}).get("code") == -32002,
          "handshake era: the same read is -32002", r)
    s.stop()


def test_resource_pages():
    """Every page of a long list carries the caching hint and the cursor
    works with _meta on each request."""
    names = ["t%03d" % i for i in range(150)]
    with scratch_schema("stateless_pages", names):
        s = Server("--schemas", "stateless_pages")
        stateless(s, "server/discover")
        seen, cursor, pages, hinted = [], None, 0, True
        while pages < 10:
            params = {} if cursor is None else {"cursor": cursor}
            r = stateless(s, "resources/list", **params)
            if r is None or "result" not in r:
                break
            pages += 1
            hinted = hinted and r["result"].get("cacheScope") == "private"
            seen += [x["name"] for x in r["result"]["resources"]]
            cursor = r["result"].get("nextCursor")
            if cursor is None:
                break
        check(pages == 2 and len(seen) == 150 and hinted,
              "2026-07-28: 150 tables in two pages, each with its hint",
              (pages, len(seen)))
        s.stop()


def test_session_refuses_requests_without_meta():
    s = discovered()
    r = s.request("tools/list")
    check(r is not None and r.get("error", {}).get("code") == -32602
          and "_meta" in r["error"]["message"],
          "a session begun with server/discover refuses a request without "
          "_meta (-32602)", r)
    r = stateless(s, "tools/call", name="query",
                  arguments={"sql": "SELECT 2 AS two"})
    check(r is not None and r["result"]["structuredContent"]["rows"] ==
          [[2]], "and goes on answering requests with it", r)
    s.stop()


def test_both_eras_in_one_process():
    """initialize opens the handshake era; a request with 2026-07-28 _meta
    is still served statelessly after it."""
    s = Server()
    s.initialize()
    plain = s.request("tools/list")
    modern = stateless(s, "tools/list")
    check(plain is not None and "resultType" not in plain["result"]
          and modern is not None
          and modern["result"].get("resultType") == "complete",
          "after initialize: plain requests handshake, _meta ones stateless",
          (str(plain)[:200], str(modern)[:200]))
    r = s.request("ping")
    check(r is not None and r.get("result") == {},
          "ping still works in the handshake era", r)
    s.stop()


def test_unsupported_version():
    s = Server()
    r = stateless(s, "tools/list", _meta=meta(**{
        "io.modelcontextprotocol/protocolVersion": "2099-01-01"}))
    err = (r or {}).get("error", {})
    check(err.get("code") == -32022
          and err.get("data") == {"supported": [VERSION],
                                  "requested": "2099-01-01"},
          "an unsupported version is -32022 with data {supported, "
          "requested}", r)
    r = s.request("tools/list")
    check(r is not None and "result" in r,
          "and it does not make the session stateless", r)
    s.stop()


def main():
    return run_tests([
        test_results_carry_result_type,
        test_catalog_answers_private,
        test_progress_in_meta,
        test_not_found_is_invalid_params,
        test_resource_pages,
        test_session_refuses_requests_without_meta,
        test_both_eras_in_one_process,
        test_unsupported_version,
    ])


if __name__ == "__main__":
    sys.exit(main())
