#!/usr/bin/env python3
"""Faults: the database, the link to it, the client and the disk failing
under a session.  After each, the next request works or the process exits
as analytics-mcp(1) says, and nothing of the session is left running in
PostgreSQL (pg_stat_activity, read as postgres over the Unix socket).

usage: faults.py PGDIR BINARY  (see tests/mcptest.py)

Faults tested elsewhere, not again here: the database down at start and
back, and restarted between calls (secrets_connect.py); a hanging connect
(secrets_connect.py, queue.py); a frozen link during a call, with cancel
and deadline (hostile.py); SIGTERM and both pipes closed during a call,
EOF on stdin as a half-close (cancel_timeout.py); a write error on stdout
(queue.py).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (BINARY, DB, DSN, PORT, RO_PASSWORD, TOP, Server,
                     active_queries, check, pg_ctl, psql, run_tests,
                     text_of, wait_until)


def backends(caller):
    """Backends of this caller in any state (-1 if psql failed)."""
    return active_queries(caller, any_state=True)


def none_left(caller, timeout=5):
    return wait_until(lambda: backends(caller) == 0, timeout)


def start_call(s, sql, rid=50):
    s.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
            "params": {"name": "query", "arguments": {"sql": sql}}})


def exit_status(proc, timeout):
    """The exit status within timeout seconds, else None (then killed)."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


class Proxy:
    """tests/tcpproxy.py in front of the cluster; cut() kills it."""

    def __init__(self, port=0):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(TOP, "tests/tcpproxy.py"), PORT,
             "0", str(port)], stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())
        self.dsn = ("host=127.0.0.1 port=%d dbname=%s user=analytics_ro" %
                    (self.port, DB))

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)

    def cut(self):
        self.proc.kill()
        self.proc.wait(5)

    def stop(self):
        if self.proc.poll() is None:
            self.thaw()
            self.proc.terminate()
            self.proc.wait(5)


def proxied(proxy, caller, *args):
    return Server(*args, dsn=proxy.dsn, caller=caller,
                  env={"PGPASSWORD": RO_PASSWORD})


# ---- the database -------------------------------------------------------

def test_restart_during_call():
    s = Server(caller="f-restart")
    s.initialize()
    start_call(s, "SELECT pg_sleep(30) AS f_restart")
    check(wait_until(lambda: active_queries("f-restart") == 1, 10),
          "a long query runs before the restart")
    pg_ctl("restart")
    r = s.recv(10)
    check(r is not None and r.get("id") == 50 and r["result"]["isError"]
          and "57P01" in text_of(r["result"])
          and "The next call connects again" in text_of(r["result"]),
          "restarted during a call: the call says the session ended and "
          "what to do", r)
    r = s.tool("query", sql="SELECT 1 AS after_restart")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[1]],
          "the next call reconnects and works", text_of(r))
    check(s.stop() == 0 and none_left("f-restart"),
          "the session ends with status 0, no backend left")


def terminate(caller):
    rc, out, err = psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'analytics-mcp/%s'" % caller)
    return rc == 0 and out == "1"


def test_terminated_between_calls():
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as audit:
        s = Server("--audit-log", audit.name, caller="f-term-idle")
        s.initialize()
        r = s.tool("query", sql="SELECT 1")
        check(not r["isError"] and terminate("f-term-idle"),
              "an administrator terminates the idle session's backend")
        r = s.tool("query", sql="SELECT 2 AS after_terminate")
        check(not r["isError"] and r["structuredContent"]["rows"] == [[2]],
              "the next call reconnects without an error", text_of(r))
        check(wait_until(lambda: backends("f-term-idle") == 1, 5),
              "one backend, the new one")
        check(s.stop() == 0 and none_left("f-term-idle"),
              "the session ends with status 0, no backend left")
        recs = [json.loads(x) for x in open(audit.name)]
        check([x["status"] for x in recs] == ["ok", "ok"],
              "the audit records the retried call as ok, not as the "
              "error of the dead link", recs)


def test_terminated_during_call():
    s = Server(caller="f-term-busy")
    s.initialize()
    start_call(s, "SELECT pg_sleep(30) AS f_term_busy")
    check(wait_until(lambda: active_queries("f-term-busy") == 1, 10)
          and terminate("f-term-busy"),
          "an administrator terminates the backend of a running call")
    r = s.recv(10)
    check(r is not None and r["result"]["isError"]
          and "administrator command" in text_of(r["result"])
          and "The next call connects again" in text_of(r["result"]),
          "the call answers with PostgreSQL's reason", r)
    r = s.tool("query", sql="SELECT 3 AS after_terminate")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[3]],
          "the next call works", text_of(r))
    check(s.stop() == 0 and none_left("f-term-busy"),
          "the session ends with status 0, no backend left")


def test_statement_timeout_leaves_nothing():
    s = Server("--statement-timeout", "1", caller="f-timeout")
    s.initialize()
    r = s.tool("query", sql="SELECT pg_sleep(10) AS f_timeout")
    check(r["isError"] and "57014" in text_of(r),
          "the statement timeout answers", text_of(r))
    check(active_queries("f-timeout") == 0 and psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        "'analytics-mcp/f-timeout' AND xact_start IS NOT NULL")[1] == "0",
          "nothing runs and no transaction is open after it")
    r = s.tool("query", sql="SELECT 4 AS after_timeout")
    check(not r["isError"], "the next call works", text_of(r))
    check(s.stop() == 0 and none_left("f-timeout"),
          "the session ends with status 0, no backend left")


# ---- the link -----------------------------------------------------------

def test_link_cut_between_calls():
    proxy = Proxy()
    s = None
    try:
        s = proxied(proxy, "f-cut-idle")
        s.initialize()
        r = s.tool("query", sql="SELECT 1")
        check(not r["isError"], "a session through the proxy works",
              text_of(r))
        port = proxy.port
        proxy.cut()
        check(none_left("f-cut-idle"),
              "the link is cut: the server's side of it is gone")
        r = s.tool("query", sql="SELECT 1")
        check(r["isError"] and "unavailable" in text_of(r)
              and "next call will try to connect again" in text_of(r),
              "a call while the link is down says the database is "
              "unavailable", text_of(r))
        r = s.request("ping")
        check(r is not None and r.get("result") == {},
              "the session stays up")
        proxy = Proxy(port)
        r = s.tool("query", sql="SELECT 5 AS mended")
        check(not r["isError"] and r["structuredContent"]["rows"] == [[5]],
              "once the link is back, the next call works", text_of(r))
        check(s.stop() == 0 and none_left("f-cut-idle"),
              "the session ends with status 0, no backend left")
    finally:
        if s is not None:
            s.stop()
        proxy.stop()


def test_link_cut_during_call():
    proxy = Proxy()
    s = None
    try:
        s = proxied(proxy, "f-cut-busy", "--statement-timeout", "2")
        s.initialize()
        start_call(s, "SELECT pg_sleep(30) AS f_cut_busy")
        check(wait_until(lambda: active_queries("f-cut-busy") == 1, 10),
              "a long query runs through the proxy")
        t0 = time.monotonic()
        proxy.cut()
        r = s.recv(10)
        took = time.monotonic() - t0
        check(r is not None and r["result"]["isError"]
              and "connection to the database was lost" in
              text_of(r["result"]) and took < 2,
              "the cut link ends the call at once (%.2f s)" % took, r)
        # Nothing reaches the backend any more: its own statement_timeout
        # (SET LOCAL from --statement-timeout) ends the statement, and
        # then the backend finds its client gone.
        check(none_left("f-cut-busy", 10),
              "the backend ends with its statement timeout (%.1f s after "
              "the cut)" % (time.monotonic() - t0))
        r = s.request("ping")
        check(r is not None and r.get("result") == {},
              "the session stays up")
    finally:
        if s is not None:
            s.stop()
        proxy.stop()


def test_link_frozen_between_calls():
    proxy = Proxy()
    s = None
    try:
        s = proxied(proxy, "f-frozen-idle", "--statement-timeout", "1")
        s.initialize()
        r = s.tool("query", sql="SELECT 1")
        check(not r["isError"], "a session through the proxy works")
        # A call is answered while its clean-up still runs: the link is
        # idle once the backend is (active_queries counts it till then).
        wait_until(lambda: backends("f-frozen-idle") == 1 and
                   active_queries("f-frozen-idle") == 0, 5)
        proxy.freeze()
        t0 = time.monotonic()
        r = s.tool("query", sql="SELECT 6 AS frozen", timeout=15)
        took = time.monotonic() - t0
        # The deadline (1 s), then the grace for the cancel (3 s).
        check(r["isError"] and "did not start this call" in text_of(r)
              and "Nothing of the call ran" in text_of(r) and took < 8,
              "a call on an idle link that froze ends at its deadline, "
              "saying nothing ran (%.1f s)" % took, text_of(r))
        r = s.request("ping", timeout=2)
        check(r is not None and r.get("result") == {},
              "ping answers while the link stays frozen")
        proxy.thaw()
        r = s.tool("query", sql="SELECT 7 AS thawed", timeout=25)
        check(not r["isError"] and r["structuredContent"]["rows"] == [[7]],
              "once the link moves again, the next call works", text_of(r))
        check(wait_until(lambda: backends("f-frozen-idle") == 1, 5),
              "the backend of the abandoned link is gone; one is left",
              backends("f-frozen-idle"))
        check(s.stop() == 0 and none_left("f-frozen-idle"),
              "the session ends with status 0, no backend left")
    finally:
        if s is not None:
            s.stop()
        proxy.stop()


# ---- the client ---------------------------------------------------------

def test_stdout_closed_during_call():
    """The client stops reading (its end of stdout closed), stdin open."""
    s = Server(caller="f-stdout")
    s.initialize()
    start_call(s, "SELECT pg_sleep(30) AS f_stdout")
    check(wait_until(lambda: active_queries("f-stdout") == 1, 10),
          "a long query runs")
    t0 = time.monotonic()
    s.sel.unregister(s.proc.stdout)
    s.proc.stdout.close()
    rc = exit_status(s.proc, 5)
    took = time.monotonic() - t0
    check(rc == 0 and none_left("f-stdout", 2),
          "stdout's reader gone: status 0, the query cancelled, no "
          "backend left (%.2f s)" % took, rc)
    s.stop()


def test_parent_killed_during_call():
    """As when ssh dies: sshd, which holds the pipes, closes them."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PG", "MCP_")) and k != "DATABASE_URL"}
    srv = subprocess.Popen([BINARY, "--dsn", DSN, "--caller", "f-parent"], stdin=in_r,
                           stdout=out_w, stderr=subprocess.DEVNULL, env=env)
    os.close(in_r)
    os.close(out_w)
    # The stand-in for sshd holds the client's ends of both pipes.
    parent = subprocess.Popen(["sleep", "60"], pass_fds=(in_w, out_r),
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL)
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "query",
                       "arguments": {"sql": "SELECT pg_sleep(30) AS x"}}}
    os.write(in_w, json.dumps(call).encode() + b"\n")
    os.close(in_w)
    os.close(out_r)
    check(wait_until(lambda: active_queries("f-parent") == 1, 10),
          "a long query runs")
    t0 = time.monotonic()
    parent.kill()
    parent.wait(5)
    rc = exit_status(srv, 5)
    check(rc == 0 and none_left("f-parent", 2),
          "the pipes' holder killed: status 0, the query cancelled, no "
          "backend left (%.2f s)" % (time.monotonic() - t0), rc)


def test_signals_during_call():
    for sig in (signal.SIGINT, signal.SIGHUP):
        name = signal.Signals(sig).name
        tag = "f-" + name.lower()
        s = Server(caller=tag)
        s.initialize()
        start_call(s, "SELECT pg_sleep(30)")
        check(wait_until(lambda: active_queries(tag) == 1, 10),
              "a long query runs before %s" % name)
        t0 = time.monotonic()
        s.proc.send_signal(sig)
        rc = exit_status(s.proc, 5)
        check(rc == 0 and none_left(tag, 2),
              "%s: status 0, the query cancelled, no backend left "
              "(%.2f s)" % (name, time.monotonic() - t0), rc)
        s.stop()


def test_stdin_closed_mid_line():
    s = Server(caller="f-midline")
    s.initialize()
    start_call(s, "SELECT pg_sleep(0.5) AS f_midline", rid=7)
    s.send_raw(b'{"jsonrpc":"2.0","id":8,"method":"tools/ca')
    s.proc.stdin.close()
    # A parse error, having no id, is answered at once, before the call.
    got = {}
    for _ in range(2):
        r = s.recv(10)
        if r is not None:
            got[r.get("id")] = r
    a, b = got.get(7), got.get(None)
    check(a is not None and not a["result"]["isError"],
          "the call asked before the cut line is answered", got)
    check(b is not None and b.get("error", {}).get("code") == -32700,
          "the line cut by EOF is answered with a parse error", got)
    check(exit_status(s.proc, 5) == 0 and none_left("f-midline"),
          "then the session ends with status 0, no backend left")


# ---- the disk -----------------------------------------------------------

def audit_calls(s, n):
    errs = []
    for i in range(n):
        r = s.tool("query", sql="SELECT %d AS audited" % i)
        if r["isError"] or r["structuredContent"]["rows"] != [[i]]:
            errs.append(text_of(r))
    return errs


def test_audit_log_disk_full():
    s = Server("--audit-log", "/dev/full", caller="f-full")
    s.initialize()
    errs = audit_calls(s, 3)
    check(not errs, "with the audit log's disk full, calls are answered",
          errs)
    check(s.stop() == 0, "the session ends normally")
    log = s.log()
    check(log.count("audit log: No space left on device") == 3
          and log.count("caller=f-full peer=") == 3,
          "each lost record is reported on stderr, and the record itself "
          "still goes to stderr and syslog", log)
    if os.geteuid() != 0:
        print("# skip - not root: no small tmpfs to fill")
        return
    mnt = tempfile.mkdtemp(prefix="amcp-full.")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs",
                       mnt], stderr=subprocess.DEVNULL).returncode != 0:
        os.rmdir(mnt)
        print("# skip - cannot mount a tmpfs here")
        return
    s = None
    try:
        audit = os.path.join(mnt, "audit.jsonl")
        filler = os.path.join(mnt, "filler")
        s = Server("--audit-log", audit, caller="f-full")
        s.initialize()
        check(not audit_calls(s, 1) and wait_until(
            lambda: os.path.getsize(audit) > 0, 5),
              "a first call is recorded")
        # tmpfs counts whole pages: pad the log to 100 bytes short of a
        # page, then fill every other page, so that the next record of
        # 200 bytes or so is cut after 100.
        size = os.path.getsize(audit)
        with open(audit, "a") as f:
            f.write('{"pad":"%s"}\n' % ("p" * (4096 - 100 - size - 11)))
        with open(filler, "wb", buffering=0) as f:
            try:
                for _ in range(8):
                    f.write(b"x" * 4096)
            except OSError:
                pass
        errs = audit_calls(s, 2)
        wait_until(lambda: "cut short" in s.log(), 5)
        os.unlink(filler)
        errs += audit_calls(s, 1)
        check(not errs, "calls go on while the disk is full", errs)
        s.stop()
        lines = open(audit, "rb").read().split(b"\n")
        parsed = []
        for line in lines[:-1]:
            try:
                parsed.append(json.loads(line).get("sql", "(pad)"))
            except ValueError:
                parsed.append(None)
        torn = [i for i, x in enumerate(parsed) if x is None]
        check(lines[-1] == b"" and len(torn) == 1
              and lines[torn[0]].startswith(b'{"time":')
              and parsed[0] == "SELECT 0 AS audited"
              and torn[0] + 1 < len(parsed)
              and parsed[torn[0] + 1] is not None
              and parsed[-1] == "SELECT 0 AS audited",
              "after a record cut short by the full disk, the next one "
              "starts a line of its own; every other line is whole",
              [x[:60] for x in lines])
    finally:
        if s is not None:
            s.stop()
        subprocess.run(["umount", mnt])
        os.rmdir(mnt)


def main():
    return run_tests([
        test_restart_during_call, test_terminated_between_calls,
        test_terminated_during_call, test_statement_timeout_leaves_nothing,
        test_link_cut_between_calls, test_link_cut_during_call,
        test_link_frozen_between_calls, test_stdout_closed_during_call,
        test_parent_killed_during_call, test_signals_during_call,
        test_stdin_closed_mid_line, test_audit_log_disk_full])


if __name__ == "__main__":
    sys.exit(main())
