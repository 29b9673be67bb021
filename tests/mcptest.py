"""The Python test library: the real binary against a throwaway PostgreSQL.

Imported by the integration test scripts (tests/integration/*.py), which
are all run as

    SCRIPT PGDIR BINARY

PGDIR is a cluster started by tests/pg.sh (its env file names the socket,
port and database); BINARY the analytics-mcp to test.  A script that needs
no database (tests/queue.py) is run as "SCRIPT BINARY": then HOST, PORT,
DB, DSN and RO_PASSWORD are None and every Server needs its own dsn.

check() prints "ok - ..." or "not ok - ..."; run_tests() runs test
functions (ONLY=word in the environment picks those whose name holds
word) and returns the exit status.  Every process started here is
stopped by PID; every wait is bounded.
"""
import contextlib
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time

if len(sys.argv) > 2:
    PGDIR, BINARY = sys.argv[1], os.path.abspath(sys.argv[2])
else:
    PGDIR, BINARY = None, os.path.abspath(sys.argv[1])
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILURES = 0
# An AddressSanitizer build has its own allocator and sets no memory cap
# (its shadow memory would exceed any): tests of memory skip it.
with open(BINARY, "rb") as _f:
    ASAN = b"__asan_init" in _f.read()


def check(cond, name, detail=""):
    """Print the verdict on cond; returns cond."""
    global FAILURES
    if cond:
        print("ok - " + name)
    else:
        FAILURES += 1
        print("not ok - " + name)
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()
    return cond


def read_env():
    env = {}
    with open(os.path.join(PGDIR, "env")) as f:
        for line in f:
            m = re.match(r"\s*(?:export\s+)?(\w+)=(.*)", line)
            if m:
                env[m.group(1)] = m.group(2).strip().strip("'\"")
    return env


if PGDIR is not None:
    PGENV = read_env()
    HOST, PORT, DB = PGENV["PGHOST"], PGENV["PGPORT"], PGENV["PGDATABASE"]
    DSN = "host=%s port=%s dbname=%s user=analytics_ro" % (HOST, PORT, DB)
    with open(os.path.join(PGDIR, "ro.pw")) as f:
        RO_PASSWORD = f.read().strip()
else:
    PGENV, HOST, PORT, DB, DSN, RO_PASSWORD = {}, None, None, None, None, None


def psql(sql, user="postgres", extra=()):
    """Run SQL through psql on the Unix socket; (returncode, out, err)."""
    p = subprocess.run(
        ["psql", "-X", "-q", "-At", "-h", HOST, "-p", PORT, "-d", DB,
         "-U", user, "-v", "ON_ERROR_STOP=1", *extra, "-c", sql],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
        text=True)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


@contextlib.contextmanager
def scratch_schema(schema, tables):
    """A schema of empty tables (names, quoted as given) that the read-only
    role may read, dropped again when the with block ends."""
    rc, _, err = psql("CREATE SCHEMA %s; " % schema + " ".join(
        "CREATE TABLE %s.\"%s\" (i int);" % (schema, t) for t in tables) +
        " GRANT USAGE ON SCHEMA %s TO analytics_ro;"
        " GRANT SELECT ON ALL TABLES IN SCHEMA %s TO analytics_ro;"
        % (schema, schema))
    if rc != 0:
        raise AssertionError(err)
    try:
        yield
    finally:
        psql("DROP SCHEMA %s CASCADE" % schema)


def pg_ctl(action):
    subprocess.run(["sh", os.path.join(TOP, "tests/pg.sh"), "ctl", PGDIR,
                    action], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120, check=True)


class Server:
    """analytics-mcp as a child process, spoken to line by line."""

    def __init__(self, *args, dsn=DSN, caller="tester", env=None):
        self.stderr = tempfile.TemporaryFile()
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("PG") or k.startswith("MCP_") or \
                    k == "DATABASE_URL":
                del e[k]
        e.update(env or {})
        cmd = [BINARY]
        if dsn is not None:
            cmd += ["--dsn", dsn]
        if caller is not None:
            cmd += ["--caller", caller]
        self.proc = subprocess.Popen(cmd + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=e)
        self.buf = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.next_id = 1

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b"\n")

    def recv(self, timeout=15):
        """The next reply line as a dict, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, method, params=None, timeout=15):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        reply = self.recv(timeout)
        if reply is not None and reply.get("id") != rid:
            raise AssertionError("reply for id %r, expected %r" %
                                 (reply.get("id"), rid))
        return reply

    def initialize(self):
        r = self.request("initialize", {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "integration", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return r

    def tool(self, name, timeout=30, **arguments):
        r = self.request("tools/call", {"name": name,
                                        "arguments": arguments}, timeout)
        if r is None:
            raise AssertionError("no reply to tools/call %s" % name)
        return r["result"]

    def stop(self, timeout=5):
        """Close stdin and wait; returns the exit status (or None)."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")


def sdk_client(args, command):
    """Run the official TypeScript SDK client (tests/client/mcp-client.mjs)
    with args against command (a list); (exit status, its JSON summary or
    {}, the output to show on failure).  None, after a skip line, when
    Node.js or the client's node_modules is missing."""
    client = os.path.join(TOP, "tests", "client")
    if shutil.which("node") is None or not os.path.isdir(
            os.path.join(client, "node_modules")):
        print("# skip - no node or no tests/client/node_modules "
              "(cd tests/client && npm ci)")
        return None
    p = subprocess.run(
        ["node", os.path.join(client, "mcp-client.mjs"), *args, "--",
         *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=120, text=True)
    try:
        summary = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        summary = {}
    return p.returncode, summary, p.stdout[-1500:] + p.stderr[-500:]


def text_of(result):
    return result["content"][0]["text"]


def active_queries(caller, any_state=False):
    """Running statements (or, any_state, backends) of this caller.

    The user's SQL runs through a cursor, so pg_stat_activity shows the
    FETCH; the session is found by its application_name instead."""
    rc, out, err = psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        "'analytics-mcp/%s'%s" % (caller, "" if any_state else
                                  " AND state = 'active'"))
    return int(out) if rc == 0 else -1


class Bouncer:
    """A PgBouncer of our own on 127.0.0.1 in transaction pooling, in front
    of the test cluster, stopped by its PID.

    Its configuration lives in a temporary directory; it runs as the
    postgres user when we are root (it refuses root) and reaches the
    cluster over its Unix socket; clients authenticate with SCRAM against
    analytics_ro's secret copied from pg_authid.  extra: more lines for
    its [pgbouncer] section."""

    def __init__(self, pool_size=2, min_pool_size=0, max_clients=100,
                 extra=""):
        self.dir = tempfile.mkdtemp(prefix="amcp-pgb.")
        os.chmod(self.dir, 0o755)
        rc, secret, err = psql("SELECT rolpassword FROM pg_authid "
                               "WHERE rolname = 'analytics_ro'")
        if rc != 0 or not secret.startswith("SCRAM-SHA-256$"):
            raise AssertionError("no SCRAM secret for analytics_ro: " + err)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        with open(os.open(os.path.join(self.dir, "userlist.txt"),
                          os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write('"analytics_ro" "%s"\n' % secret)
        with open(os.path.join(self.dir, "pgbouncer.ini"), "w") as f:
            f.write("""[databases]
%(db)s = host=%(host)s port=%(pgport)s dbname=%(db)s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %(port)d
unix_socket_dir =
auth_type = scram-sha-256
auth_file = %(dir)s/userlist.txt
pool_mode = transaction
default_pool_size = %(pool)d
min_pool_size = %(min_pool)d
max_client_conn = %(clients)d
logfile = %(dir)s/pgbouncer.log
pidfile =
%(extra)s
""" % {"db": DB, "host": HOST, "pgport": PORT, "port": self.port,
       "dir": self.dir, "pool": pool_size, "min_pool": min_pool_size,
       "clients": max_clients,
       "extra": extra})
        cmd = ["pgbouncer", os.path.join(self.dir, "pgbouncer.ini")]
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            for name in os.listdir(self.dir):
                shutil.chown(os.path.join(self.dir, name), "postgres")
            # setpriv execs: the PID we hold is PgBouncer's own.
            cmd = ["setpriv", "--reuid=postgres", "--regid=postgres",
                   "--init-groups"] + cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if not wait_until(self.listening, 10):
            self.stop()
            raise AssertionError("pgbouncer did not start: " + self.log())
        self.dsn = ("host=127.0.0.1 port=%d dbname=%s user=analytics_ro" %
                    (self.port, DB))

    def listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 1).close()
            return True
        except OSError:
            return False

    def log(self):
        try:
            with open(os.path.join(self.dir, "pgbouncer.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def server(self, caller, *args):
        return Server(*args, dsn=self.dsn, caller=caller,
                      env={"PGPASSWORD": RO_PASSWORD})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_until(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()




def run_tests(tests):
    """Run each test function; a crash is a failure, not an abort."""
    only = os.environ.get("ONLY")
    for t in tests:
        if only and only not in t.__name__:
            continue
        print("# " + t.__name__)
        sys.stdout.flush()
        try:
            t()
        except Exception as e:
            check(False, "%s raised %s: %s" % (t.__name__,
                                               type(e).__name__, e))
    return 1 if FAILURES else 0
