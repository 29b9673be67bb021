#!/usr/bin/env python3
"""Time: the statement timeout, notifications/cancelled, the queue
behind a running query, half-close, SIGTERM and a vanished client.

usage: cancel_timeout.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import signal
import subprocess
import sys
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (Server, active_queries, check, run_tests, text_of,
                     wait_until)


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


def main():
    return run_tests([test_timeout_and_cancel])


if __name__ == "__main__":
    sys.exit(main())
