#!/usr/bin/env python3
"""Connecting: --check, passwords kept out of every message, a
connect that hangs, the database down and back.

usage: secrets_connect.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (BINARY, DB, PORT, RO_PASSWORD, Server, check, pg_ctl,
                     run_tests, text_of)


def test_secrets_and_check():
    pw_dsn = "host=127.0.0.1 port=%s dbname=%s user=analytics_ro " \
             "password=%s" % (PORT, DB, RO_PASSWORD)
    p = subprocess.run([BINARY, "--check", "--dsn", pw_dsn, "--caller", "ops"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, text=True)
    check(p.returncode == 0 and "role: analytics_ro" in p.stdout
          and "default_transaction_read_only: on" in p.stdout
          and "readable_schemas: fuel,reporting,tickets,tracksolid"
          in p.stdout and "application_name: analytics-mcp/ops" in p.stdout
          and "caller: ops (--caller)" in p.stdout,
          "--check reports role, read-only state, schemas, caller", p.stdout)
    check(RO_PASSWORD not in p.stdout + p.stderr,
          "--check never prints the password")
    bad = pw_dsn.replace(RO_PASSWORD, "wrong" + RO_PASSWORD[:8])
    p = subprocess.run([BINARY, "--check", "--dsn", bad],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, text=True)
    check(p.returncode == 1 and "unavailable" in p.stdout
          and "wrong" not in p.stdout + p.stderr,
          "--check fails with 1 on a bad password, without printing it",
          p.stdout)

    s = Server(dsn=pw_dsn)
    s.initialize()
    r = s.tool("query", sql="SELECT current_user")
    check(r["structuredContent"]["rows"] == [["analytics_ro"]],
          "a DSN with a password works over TCP")
    with open("/proc/%d/cmdline" % s.proc.pid, "rb") as f:
        cmdline = f.read()
    check(RO_PASSWORD.encode() not in cmdline,
          "the DSN is scrubbed from argv (ps shows no password)")
    s.stop()
    check(RO_PASSWORD not in s.log(), "no password in stderr")

    s = Server(dsn=bad)
    s.initialize()
    r = s.tool("query", sql="SELECT 1")
    check(r["isError"] and "wrong" not in text_of(r)
          and "password authentication failed" in text_of(r),
          "a failed login says why without the password", text_of(r))
    s.stop()


def test_connect_timeout():
    """A server that accepts TCP but never answers: both the session's
    asynchronous connect and --check give up after the connect timeout."""
    import socket
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)        # never accepted: the startup packet waits
    port = lsock.getsockname()[1]
    dsn = "host=127.0.0.1 port=%d dbname=x user=y" % port
    try:
        chk = subprocess.Popen([BINARY, "--check", "--dsn", dsn],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        s = Server(dsn=dsn)
        init = s.initialize()
        check(init is not None and "result" in init,
              "initialize is answered while the connect hangs")
        r = s.tool("query", timeout=25, sql="SELECT 1")
        check(r["isError"] and "timed out" in text_of(r),
              "a connect that hangs ends in an isError after the timeout",
              text_of(r))
        r = s.request("ping")
        check(r is not None and r.get("result") == {},
              "the session goes on after a connect timeout")
        s.stop()
        try:
            out, _ = chk.communicate(timeout=25)
        except subprocess.TimeoutExpired:
            chk.kill()
            out, _ = chk.communicate()
        check(chk.returncode == 1 and "timeout" in out,
              "--check gives up on a hanging connect with status 1", out)
    finally:
        lsock.close()


def test_database_down_and_back():
    pg_ctl("stop")
    try:
        s = Server()
        init = s.initialize()
        check(init is not None and "result" in init,
              "initialize answers while the database is down")
        r = s.tool("query", sql="SELECT 1")
        check(r["isError"] and "unavailable" in text_of(r),
              "database down: the tool says so", text_of(r))
        r = s.request("ping")
        check(r is not None and r.get("result") == {},
              "the session stays up while the database is down")
    finally:
        pg_ctl("start")
    r = s.tool("query", sql="SELECT 2 AS back")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[2]],
          "the next call connects once the database is back", r)
    pg_ctl("restart")
    r = s.tool("query", sql="SELECT 3 AS again")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[3]],
          "a connection lost to a restart is re-established", text_of(r))
    s.stop()


def test_libpq_loads_meanwhile():
    """libpq loads on a thread of its own: initialize does not wait for it,
    a tool call does, and a library that is not libpq ends the process as
    a start-up error would.  The stand-in libpq.so.5 takes 4 s to load and
    has none of libpq's functions."""
    d = tempfile.mkdtemp(prefix="amcp-slowpq.")
    try:
        src = os.path.join(d, "slow.c")
        with open(src, "w") as f:
            f.write("#include <unistd.h>\n"
                    "__attribute__((constructor)) static void\n"
                    "slow(void)\n{\n\tsleep(4);\n}\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-o",
                        os.path.join(d, "libpq.so.5"), src], check=True,
                       timeout=120)
        s = Server(env={"LD_LIBRARY_PATH": d})
        t = time.monotonic()
        r = s.initialize()
        took = time.monotonic() - t
        check(r is not None and "result" in r and took < 3,
              "initialize is answered while libpq loads (%.2f s, the load "
              "4 s)" % took, r)
        r = s.request("tools/call", {"name": "query",
                                     "arguments": {"sql": "SELECT 1"}},
                      timeout=15)
        rc = s.stop(timeout=15)
        check(r is None and rc == 1 and "cannot load libpq.so.5: "
              "libpq.so.5 has no PQ" in s.log(),
              "a library that is not libpq: the call waits for it, then "
              "exit status 1 and why", (r, rc, s.log()))
    finally:
        shutil.rmtree(d)
    # Without any input, libpq is still loaded and bad settings still end
    # the process at once (within PQ_LOAD_DELAY_MS and the load).
    s = Server(dsn="host='unterminated")
    try:
        rc = s.proc.wait(5)
    except subprocess.TimeoutExpired:
        rc = None
    s.stop()
    check(rc == 1 and "not a valid connection string" in s.log(),
          "a bad DSN ends the process with stdin open and nothing sent",
          (rc, s.log()))


def main():
    return run_tests([test_secrets_and_check, test_connect_timeout,
                      test_database_down_and_back, test_libpq_loads_meanwhile])


if __name__ == "__main__":
    sys.exit(main())
