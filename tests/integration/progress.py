#!/usr/bin/env python3
"""Progress: a call with a progressToken hears how many rows have come.

usage: progress.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import sys
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import Server, check, run_tests

# About 2.5 s of rows: slow FETCHes keep their size (256 rows), so
# progress comes every 0.6 s or so.
SLOW = "SELECT g, pg_sleep(0.0025) FROM generate_series(1, 1000) g"


def call(s, rid, meta=None, sql=SLOW):
    params = {"name": "query", "arguments": {"sql": sql, "max_rows": 1000}}
    if meta is not None:
        params["_meta"] = meta
    s.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
            "params": params})


def until_reply(s, rid, timeout=30):
    """The notifications before the reply to rid, and the reply."""
    notes = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = s.recv(deadline - time.monotonic())
        if m is None:
            break
        if m.get("id") == rid:
            return notes, m
        notes.append(m)
    return notes, None


def test_progress():
    s = Server("--max-bytes", "1000000")
    s.initialize()
    for token in (7, "tok-\u00e9"):
        call(s, 1, {"progressToken": token})
        notes, reply = until_reply(s, 1)
        prog = [n["params"] for n in notes
                if n.get("method") == "notifications/progress"]
        values = [p["progress"] for p in prog]
        check(reply is not None and not reply["result"]["isError"]
              and len(prog) >= 3 and len(prog) == len(notes)
              and all(p["progressToken"] == token for p in prog),
              "a call with progressToken %r hears progress before its "
              "reply" % token, notes[:3])
        check(values == sorted(set(values)) and values[-1] <= 1000
              and all("rows fetched" in p["message"] for p in prog),
              "progress counts rows and only grows", values)
        check(len(prog) <= 2.5 / 0.25 + 2,
              "at most four notes a second (%d in about 2.5 s)" % len(prog))
    call(s, 2)
    notes, reply = until_reply(s, 2)
    check(reply is not None and notes == [],
          "without a progressToken there is none", notes[:2])
    call(s, 3, {"progressToken": 9}, sql="SELECT 1")
    notes, reply = until_reply(s, 3)
    check(reply is not None and notes == [],
          "a call answered in one batch has nothing to report", notes)
    s.stop()


def test_none_after_cancel():
    s = Server("--max-bytes", "1000000")
    s.initialize()
    call(s, 5, {"progressToken": 5})
    first = s.recv(10)
    check(first is not None and first.get("method") ==
          "notifications/progress", "progress starts", first)
    s.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": 5}})
    time.sleep(0.1)
    late = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        m = s.recv(deadline - time.monotonic())
        if m is None:
            break
        late.append(m)
    r = s.request("ping")
    check(r is not None and r.get("result") == {} and all(
        m.get("id") != 5 for m in late) and len(late) <= 1,
        "after the cancel: no reply, and no progress (but one in flight)",
        late)
    s.stop()


def main():
    return run_tests([test_progress, test_none_after_cancel])


if __name__ == "__main__":
    sys.exit(main())
