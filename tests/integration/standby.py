#!/usr/bin/env python3
"""A hot standby: analysts' reads on a streaming replica of the cluster.

usage: standby.py PGDIR BINARY  (see tests/mcptest.py)

The test cluster is the primary.  The replica is made with pg_basebackup
in a temporary directory and runs as the postgres user (when we are root)
on its own Unix socket and port, with max_standby_streaming_delay = 0 so
that a recovery conflict cancels a query at once; it is stopped by its
postmaster's PID.  Sessions use a multi-host DSN, replica first, with
target_session_attrs=prefer-standby (libpq 14+).
"""
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (DB, HOST, PGDIR, PORT, Server, check, psql, run_tests,
                     text_of, wait_until)


def bindir():
    """The server binaries, as tests/pg.sh finds them."""
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    if os.path.exists("/usr/lib/postgresql/15/bin/pg_basebackup"):
        return "/usr/lib/postgresql/15/bin"
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                   key=lambda d: int(d.split("/")[-2]))
    return found[-1] if found else ""


BIN = bindir()


def as_postgres(cmd, cwd):
    """cmd as the cluster's owner: postgres when we are root."""
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=postgres", "--regid=postgres",
               "--init-groups"] + cmd
    return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=120, text=True)


class Replica:
    """A streaming replica of the test cluster, made by pg_basebackup."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="amcp-sb.")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.data = os.path.join(self.dir, "data")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        p = as_postgres([os.path.join(BIN, "pg_basebackup"), "-h", HOST,
                         "-p", PORT, "-U", "postgres", "-D", self.data,
                         "-R", "-X", "stream", "-c", "fast"], self.dir)
        if p.returncode != 0:
            raise AssertionError("pg_basebackup: " + p.stdout)
        # Later settings win: the copy's own port and socket, no TCP.
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\n# standby.py\nport = %d\n"
                    "unix_socket_directories = '%s'\n"
                    "listen_addresses = ''\nhot_standby = on\n"
                    "hot_standby_feedback = off\n"
                    "max_standby_streaming_delay = 0\n" %
                    (self.port, self.dir))
        self.start()

    def start(self):
        p = as_postgres([os.path.join(BIN, "pg_ctl"), "-D", self.data, "-l",
                         os.path.join(self.dir, "postgres.log"), "-w", "-t",
                         "60", "start"], self.dir)
        if p.returncode != 0:
            raise AssertionError("the replica did not start: " + p.stdout +
                                 self.log())

    def pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def stop(self):
        """Fast shutdown by the postmaster's PID; waits for it to end."""
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            return
        wait_until(lambda: self.pid() is None, 30, 0.1)

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(os.path.join(self.dir, "postgres.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def psql(self, sql):
        p = subprocess.run(
            ["psql", "-X", "-q", "-At", "-h", self.dir, "-p",
             str(self.port), "-d", DB, "-U", "postgres", "-c", sql],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
            text=True)
        return p.returncode, p.stdout.strip(), p.stderr.strip()

    def caught_up(self):
        """True once the replica has replayed all the primary has logged.

        The insert position, not the write position: with the cluster's
        synchronous_commit = off a commit may still be unwritten."""
        _, lsn, _ = psql("SELECT pg_current_wal_insert_lsn()")
        return wait_until(lambda: self.psql(
            "SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn" % lsn)[1] ==
            "t", 30, 0.1)

    def dsn(self):
        return ("host=%s,%s port=%d,%s dbname=%s user=analytics_ro "
                "target_session_attrs=prefer-standby" %
                (self.dir, HOST, self.port, PORT, DB))


STANDBY_RETRY_S = 30        # mcp-stdio/extern.h
REPLICA = None
MOVED = []                  # (session, when) fallen back to the primary
WHERE = "SELECT pg_is_in_recovery() AS standby"


def on_standby(s):
    r = s.tool("query", sql=WHERE)
    if r["isError"]:
        return "error: " + text_of(r)
    return r["structuredContent"]["rows"][0][0]


def setup():
    global REPLICA
    hba = os.path.join(PGDIR, "data", "pg_hba.conf")
    with open(hba) as f:
        have = "local replication postgres trust" in f.read()
    if not have:
        with open(hba, "a") as f:
            f.write("local replication postgres trust\n")
    rc, _, err = psql("SELECT pg_reload_conf()")
    check(rc == 0, "the primary lets postgres replicate over its socket",
          err)
    t0 = time.monotonic()
    REPLICA = Replica()
    check(REPLICA.psql("SELECT pg_is_in_recovery()")[1] == "t",
          "a streaming replica made with pg_basebackup runs (%.1f s)" %
          (time.monotonic() - t0), REPLICA.log())


def test_reads_go_to_the_standby():
    s = Server(dsn=REPLICA.dsn(), caller="sb-reader")
    s.initialize()
    check(on_standby(s) is True, "prefer-standby: the session reads on the "
          "replica (pg_is_in_recovery() is true)")
    _, n, _ = psql("SELECT count(*) FROM tickets.inc")
    r = s.tool("query", sql="SELECT count(*) FROM tickets.inc")
    check(not r["isError"] and r["structuredContent"]["rows"] == [[int(n)]],
          "it sees the primary's data (%s rows of tickets.inc)" % n,
          text_of(r))
    rc, out, _ = REPLICA.psql(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'analytics-mcp/sb-reader'")
    check(out == "1", "the replica's pg_stat_activity names the analyst")
    for name, args in [("list_schemas", {}),
                       ("describe_table", {"schema": "tickets",
                                           "table": "inc"}),
                       ("explain", {"sql": "SELECT * FROM tickets.inc"}),
                       ("sample_table", {"schema": "tickets",
                                         "table": "inc"})]:
        r = s.tool(name, **args)
        check(not r["isError"], "%s works on the standby" % name,
              text_of(r)[:300])
    s.stop()


def test_standby_away_and_back():
    s = Server(dsn=REPLICA.dsn(), caller="sb-away")
    s.initialize()
    check(on_standby(s) is True, "the session starts on the replica")
    REPLICA.stop()
    check(on_standby(s) is False, "the replica stopped: the next call runs "
          "on the primary, without an error")
    moved = time.monotonic()
    r = s.request("ping")
    check(r is not None and r.get("result") == {}, "the session stays up")
    REPLICA.start()
    check(REPLICA.caught_up(), "the replica is back and has caught up")
    t = Server(dsn=REPLICA.dsn(), caller="sb-new")
    t.initialize()
    check(on_standby(t) is True, "a new session reads on the replica again")
    t.stop()
    check(on_standby(s) is False, "the session that moved stays on the "
          "primary for %d s" % STANDBY_RETRY_S)
    # test_fallback_ends looks at it again once the time has passed.
    MOVED.append((s, moved))

    s = Server(dsn=REPLICA.dsn(), caller="sb-busy")
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
            "params": {"name": "query",
                       "arguments": {"sql": "SELECT pg_sleep(20)"}}})
    check(wait_until(lambda: REPLICA.psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        "'analytics-mcp/sb-busy' AND state = 'active'")[1] == "1", 10),
          "a long query runs on the replica")
    REPLICA.stop()
    r = s.recv(10)
    check(r is not None and r["result"]["isError"]
          and "run it again" in text_of(r["result"]),
          "the replica stopping under a call: the call says to run it "
          "again", r)
    check(on_standby(s) is False, "and the next call runs on the primary")
    s.stop()
    REPLICA.start()


def test_recovery_conflict():
    try:
        recovery_conflict()
    finally:
        psql("DROP TABLE IF EXISTS reporting.sb_conflict")


def recovery_conflict():
    rc, _, err = psql(
        "DROP TABLE IF EXISTS reporting.sb_conflict; "
        "CREATE TABLE reporting.sb_conflict AS "
        "SELECT g FROM generate_series(1, 10000) g; "
        "GRANT SELECT ON reporting.sb_conflict TO analytics_ro")
    check(rc == 0 and REPLICA.caught_up(),
          "a table on the primary, replayed on the replica", err)
    s = Server(dsn=REPLICA.dsn(), caller="sb-conflict")
    s.initialize()
    s.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "query", "arguments": {
                "sql": "SELECT count(*), pg_sleep(20) "
                       "FROM reporting.sb_conflict"}}})
    check(wait_until(lambda: REPLICA.psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        "'analytics-mcp/sb-conflict' AND state = 'active'")[1] == "1", 10),
          "a long query reads the table on the replica")
    # Rows the query's snapshot can see are removed on the primary.
    rc, _, err = psql("DELETE FROM reporting.sb_conflict")
    rc2, _, err2 = psql("VACUUM reporting.sb_conflict")
    check(rc == 0 and rc2 == 0, "the primary deletes and vacuums them",
          err + err2)
    r = s.recv(15)
    text = text_of(r["result"]) if r is not None else ""
    check(r is not None and r["result"]["isError"]
          and "40001" in text and "conflict with recovery" in text
          and "Run it again" in text and "hot_standby_feedback" in text,
          "the cancelled query says it met a recovery conflict and what "
          "to do", text or r)
    check(on_standby(s) is True, "the next call runs, on the replica")
    s.stop()


def test_fallback_ends():
    if not MOVED:
        check(False, "no session moved to the primary to look at")
        return
    s, moved = MOVED.pop()
    time.sleep(max(0, moved + STANDBY_RETRY_S + 0.5 - time.monotonic()))
    check(on_standby(s) is True, "then its next call reads on the replica "
          "again (%.0f s after it moved)" % (time.monotonic() - moved))
    s.stop()


def teardown():
    for s, _ in MOVED:
        s.stop()
    if REPLICA is not None:
        REPLICA.destroy()


def main():
    if not BIN or not os.path.exists(os.path.join(BIN, "pg_basebackup")):
        print("# skip - no pg_basebackup")
        return 0
    try:
        return run_tests([setup, test_reads_go_to_the_standby,
                          test_standby_away_and_back,
                          test_recovery_conflict, test_fallback_ends])
    finally:
        teardown()


if __name__ == "__main__":
    sys.exit(main())
