#!/usr/bin/env python3
"""The loop's queue, and how a session ends on a write error, without a
database.

usage: queue.py BINARY  (see tests/mcptest.py)

The server's database is a Unix socket that listens and never accepts:
libpq's connect is queued by the kernel and then waits for an answer, so
a tools/call waits for the connection until the connect timeout (10 s
from start-up) and the session is busy all that while.  Two sessions run
side by side so that the whole file takes one timeout: one fills the
queue and cancels a queued request, the other cancels the call that
waits.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from mcptest import BINARY, Server, check, run_tests, text_of

PENDING_MAX = 64            # mcp-stdio/extern.h
CONNECT_TIMEOUT_S = 10      # mcp-stdio/extern.h


class HangingDatabase:
    """A PostgreSQL socket that never answers; .dsn names it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="amcp-queue.")
        port = 5432
        self.path = os.path.join(self.dir, ".s.PGSQL.%d" % port)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(16)    # never accepted: each connect waits
        self.dsn = "host=%s port=%d dbname=x user=x" % (self.dir, port)

    def close(self):
        self.sock.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


def call(rid, sql="SELECT 1"):
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call",
            "params": {"name": "query", "arguments": {"sql": sql}}}


def req(rid, method):
    return {"jsonrpc": "2.0", "id": rid, "method": method}


def cancel(rid):
    return {"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": rid, "reason": "test"}}


def ids(replies):
    return [r and r.get("id") for r in replies]


def rest(s):
    """Every reply left once the server has stopped."""
    s.stop()
    out = []
    while True:
        r = s.recv(2)
        if r is None:
            return out
        out.append(r)


def test_queue():
    db = HangingDatabase()
    a = Server(dsn=db.dsn, caller="queue-a")
    b = Server(dsn=db.dsn, caller="queue-b")
    try:
        t0 = time.monotonic()
        check(a.initialize() is not None and b.initialize() is not None,
              "initialize is answered while the connect hangs")

        # Session a: a call waits for the database; the queue fills.
        a.send(call("run"))
        a.send(req("p1", "ping"))
        r = a.recv(1)
        check(r == {"jsonrpc": "2.0", "id": "p1", "result": {}},
              "while a call waits for the database, ping is answered at "
              "once", r)
        for i in range(1, PENDING_MAX + 1):
            a.send(req(100 + i, "tools/list"))
        a.send(req(100 + PENDING_MAX + 1, "tools/list"))
        r = a.recv(1)
        check(r is not None and r.get("id") == 165
              and r.get("error", {}).get("code") == -32603
              and "too many requests waiting" in r["error"]["message"],
              "the 65th waiting request is refused at once with -32603",
              r)
        a.send(req("p2", "ping"))
        r = a.recv(1)
        check(r is not None and r.get("id") == "p2" and "result" in r,
              "ping is answered while the queue is full", r)
        a.send(cancel(105))
        a.send(req(166, "tools/list"))
        a.send(req("p3", "ping"))
        r = a.recv(1)
        check(r is not None and r.get("id") == "p3",
              "a cancelled waiting request frees its place: the next is "
              "queued, not refused", r)

        # Session b: the call that waits for the database is cancelled.
        b.send(call("run"))
        b.send(req(2, "tools/list"))
        b.send(cancel("run"))
        r = b.recv(2)
        check(r is not None and r.get("id") == 2 and "result" in r,
              "cancelling the waiting call answers nothing for it; the "
              "queue moves on at once", r)

        # The connect gives up: a's call fails, then its queue, in order.
        r = a.recv(CONNECT_TIMEOUT_S + 5)
        waited = time.monotonic() - t0
        check(r is not None and r.get("id") == "run"
              and r["result"]["isError"]
              and "unavailable" in text_of(r["result"])
              and "timed out" in text_of(r["result"]),
              "the waiting call ends with the connect timeout (%.1f s)" %
              waited, r)
        check(CONNECT_TIMEOUT_S - 1 <= waited <= CONNECT_TIMEOUT_S + 4,
              "the session was busy until the connect timeout", waited)
        queued = [a.recv(2) for _ in range(PENDING_MAX)]
        want = [i for i in range(101, 165) if i != 105] + [166]
        check(ids(queued) == want
              and all(q is not None and "tools" in q.get("result", {})
                      for q in queued),
              "then every waiting request is answered, in order, "
              "without the cancelled one", ids(queued))
        a.send(req("p4", "ping"))
        r = a.recv(2)
        check(r is not None and r.get("id") == "p4",
              "nothing else was waiting", r)

        # b's connect has given up too: still nothing for its call.
        b.send(req("p5", "ping"))
        r = b.recv(2)
        check(r is not None and r.get("id") == "p5",
              "the cancelled call is not answered when its connect ends",
              r)
        left_a, left_b = rest(a), rest(b)
        check(left_a == [] and left_b == [],
              "no reply is left over at the end", (left_a, left_b))
    finally:
        a.stop()
        b.stop()
        db.close()


PING = b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n'


def test_write_errors():
    """EPIPE is the reader leaving: status 0; any other error is not."""
    with open("/dev/full", "wb") as full:
        p = subprocess.run([BINARY, "--caller", "x", "--dsn",
                            "host=/nonexistent"], input=PING * 3,
                           stdout=full, stderr=subprocess.PIPE, timeout=10)
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 1 and "No space left on device" in err,
          "a write error (ENOSPC on /dev/full) ends the session with "
          "status 1 and says why", "status %d: %s" % (p.returncode, err))
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([BINARY, "--caller", "x", "--dsn",
                        "host=/nonexistent"], input=PING * 3, stdout=w,
                       stderr=subprocess.PIPE, timeout=10)
    os.close(w)
    check(p.returncode == 0 and p.stderr == b"",
          "a reader gone (EPIPE) ends the session quietly with status 0",
          "status %d: %s" % (p.returncode, p.stderr))


def test_each_failure_answered():
    """Jobs that fail at once (no database) are each answered."""
    p = subprocess.run([BINARY, "--caller", "x", "--dsn",
                        "host=/nonexistent"], input=b"".join(
                            b'{"jsonrpc":"2.0","id":%d,"method":"tools/call",'
                            b'"params":{"name":"list_schemas"}}\n' % i
                            for i in range(1, 6)), capture_output=True,
                       timeout=30)
    ids = [json.loads(line)["id"] for line in p.stdout.splitlines()]
    check(ids == [1, 2, 3, 4, 5],
          "five calls piped with the database down: five answers, in order",
          ids)


def main():
    return run_tests([test_queue, test_write_errors,
                      test_each_failure_answered])


if __name__ == "__main__":
    sys.exit(main())
