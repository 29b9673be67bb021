#!/usr/bin/env python3
"""make bench: analytics-mcp against psql, COPY and the Node reference
server, on a throwaway PostgreSQL with a realistic table.

usage: bench.py BINARY [OUTDIR]

Prints progress, then the tables for the README; writes OUTDIR/table.md
and OUTDIR/results.jsonl (one JSON object per figure).  OUTDIR defaults
to bench/out.  BENCH_QUICK=1 runs a few repeats only (a smoke run).
Every process started here is stopped by its PID; the cluster is
destroyed at the end.  See bench/README.md.
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (Child, cold_call, cpu_ms, proc_memory,  # noqa: E402
                      repeat, spread)
import scale  # noqa: E402
import report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
QUICK = os.environ.get("BENCH_QUICK") == "1"
ROWS = (10, 1000, 10000)
# Repeats per case: (analytics-mcp and psql, Node).
REPEATS = {"cold": (30, 10), "rt": (300, 300), 10: (50, 30), 1000: (30, 15),
           10000: (15, 8)}
MAX_BYTES = 8 * 1024 * 1024	# --max-bytes' ceiling: 10,000 rows fit
CALL_GAP_S = 0.005		# between two timed calls of a session
TABLE_SQL = os.path.join(HERE, "table.sql")
NODE_SERVER = os.path.join(HERE, "node_modules", "@modelcontextprotocol",
                           "server-postgres", "dist", "index.js")


WARM, COPY = "psql \\timing warm", "COPY TO STDOUT warm"


class WarmPsql:
    """One psql session timing statements with \\timing, output to
    /dev/null; time(sql) returns psql's own figure in ms."""

    def __init__(self, argv, env):
        self.proc = subprocess.Popen(argv + ["-q"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env,
                                     bufsize=0)
        self.proc.stdin.write(b"\\o /dev/null\n\\timing on\n")

    def time(self, sql):
        self.proc.stdin.write(sql.encode() + b";\n")
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("psql ended: %s" % sql)
            if line.startswith(b"Time: "):
                return float(line.split()[1])

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def log(msg):
    print(msg, flush=True)


def reps(case, node=False):
    n = REPEATS[case][1 if node else 0]
    return min(n, 3) if QUICK else n


class Bench:
    def __init__(self, binary, outdir):
        self.binary = os.path.abspath(binary)
        self.outdir = outdir
        self.results = []
        self.tmp = tempfile.mkdtemp(prefix="amcp-bench-", dir="/tmp")
        os.chmod(self.tmp, 0o755)
        self.pgdir = os.path.join(self.tmp, "pg")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("PG") and not k.startswith("MCP_")
                    and k != "DATABASE_URL"}

    # ---- set-up ---------------------------------------------------------

    def pg_sh(self, *args, check=True):
        return subprocess.run(["sh", os.path.join(TOP, "tests/pg.sh"),
                               *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=300, check=check).stdout

    def start_cluster(self):
        log(self.pg_sh("start", self.pgdir).strip())
        # 200 sessions and their backends, plus psql and slack.
        conf = os.path.join(self.pgdir, "data", "postgresql.conf")
        with open(conf, "a") as f:
            f.write("\n# bench.py: 200 sessions at once\n"
                    "max_connections = 260\n")
        self.pg_sh("ctl", self.pgdir, "restart")
        with open(os.path.join(self.pgdir, "port")) as f:
            self.port = f.read().strip()
        out = self.pg_sh("psql", self.pgdir, "-q", "-v", "ON_ERROR_STOP=1",
                         "-f", TABLE_SQL)
        self.max_connections = self.su_sql("SHOW max_connections")
        self.pg_version = self.su_sql("SHOW server_version")
        self.has_postgis = self.su_sql(
            "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"
        ) == "1"
        log("bench table loaded: %s rows, PostGIS %s, max_connections %s%s"
            % (self.su_sql("SELECT count(*) FROM bench.trips"),
               "yes" if self.has_postgis else "no", self.max_connections,
               out.strip() and "\n" + out.strip()))

    def su_sql(self, sql):
        return self.pg_sh("psql", self.pgdir, "-At", "-c", sql).strip()

    def dsn(self):
        return "host=%s port=%s dbname=tracksolid_db user=analytics_ro" % (
            self.pgdir, self.port)

    def node_ready(self):
        """npm ci from bench/package-lock.json unless node_modules came
        from it; the reason when the Node server cannot run."""
        if shutil.which("node") is None or shutil.which("npm") is None:
            return "node or npm is missing"
        lock = os.path.join(HERE, "package-lock.json")
        stamp = os.path.join(HERE, "node_modules", ".bench-lock")
        with open(lock, "rb") as f:
            want = f.read()
        if os.path.exists(stamp) and open(stamp, "rb").read() == want:
            return None
        p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                            "--loglevel=error"], cwd=HERE, timeout=300,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if p.returncode != 0:
            return "npm ci failed: " + p.stdout.strip()[-300:]
        with open(stamp, "wb") as f:
            f.write(want)
        return None

    # ---- the servers ------------------------------------------------------

    def ours(self, *extra):
        return Child([self.binary, "--dsn", self.dsn(), "--caller", "bench",
                      "--max-bytes", str(MAX_BYTES), *extra], env=self.env)

    def node(self):
        url = ("postgresql://analytics_ro@localhost:%s/tracksolid_db"
               "?host=%s" % (self.port, self.pgdir))
        return Child(["node", NODE_SERVER, url], env=self.env)

    def psql_argv(self):
        return ["psql", "-X", "-At", "-h", self.pgdir, "-p", self.port,
                "-d", "tracksolid_db", "-U", "analytics_ro"]

    # ---- figures ----------------------------------------------------------

    def emit(self, figure, subject, case, unit, value):
        """Record one figure: value is a number or spread()'s dict."""
        rec = {"figure": figure, "subject": subject, "case": case,
               "unit": unit}
        rec.update(value if isinstance(value, dict) else {"value": value})
        self.results.append(rec)

    def cold_start(self, subjects):
        for name, make, node in subjects:
            def once():
                c = make()
                t = c.initialize()
                c.stop()
                return t * 1000
            self.emit("cold_start", name, "initialize reply", "ms",
                      spread(repeat(reps("cold", node), once)))

            # What the handshake does not wait for (libpq, the connection)
            # a first call does: spawn to the reply of a one-row query.
            self.emit("cold_start", name, "first query reply", "ms",
                      spread(repeat(reps("cold", node),
                                    lambda: cold_call(make())[1])))
        # The floor: spawning and reaping a process that does nothing.
        def floor():
            t0 = time.perf_counter()
            subprocess.run(["true"], check=True)
            return (time.perf_counter() - t0) * 1000
        self.emit("cold_start", "true(1)", "spawn and exit", "ms",
                  spread(repeat(reps("cold"), floor)))
        # What loading libpq and its libraries costs any client.
        empty = self.libpq_floor()
        if empty is not None:
            def libpq():
                t0 = time.perf_counter()
                subprocess.run([empty], check=True, stdout=subprocess.DEVNULL)
                return (time.perf_counter() - t0) * 1000
            self.emit("cold_start", "libpq floor", "spawn and exit", "ms",
                      spread(repeat(reps("cold"), libpq)))

    def libpq_floor(self):
        """An empty program linked with libpq, or None without cc."""
        src = os.path.join(self.tmp, "floor.c")
        exe = os.path.join(self.tmp, "floor")
        with open(src, "w") as f:
            f.write("#include <libpq-fe.h>\n"
                    "int main(void) { return PQlibVersion() > 0 ? 0 : 1; }\n")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libpq"],
                               stdout=subprocess.PIPE, text=True)
        if flags.returncode != 0 or shutil.which("cc") is None:
            return None
        p = subprocess.run(["cc", "-O2", "-o", exe, src] +
                           flags.stdout.split(), stderr=subprocess.DEVNULL)
        return exe if p.returncode == 0 else None

    def session(self, name, make, node):
        """Idle memory after initialize; ping and tools/list round
        trips on a warm session."""
        c = make()
        c.initialize()
        time.sleep(0.3)		# a background connect settles
        mem = proc_memory(c.pid)
        self.emit("idle_rss", name, "after initialize", "KiB", mem["rss_kb"])
        self.emit("idle_uss", name, "after initialize", "KiB", mem["uss_kb"])
        c.query("SELECT 1")
        for method in ("ping", "tools/list"):
            c.request(method)
            self.emit("round_trip", name, method, "ms", spread(repeat(
                reps("rt", node), lambda: c.request(method)[0] * 1000)))
        c.stop()

    def sql(self, n):
        return "SELECT * FROM bench.trips ORDER BY id LIMIT %d" % n

    def warm_server(self, name, make, node, n):
        """A fresh server that has answered the n-row query once (plans
        and caches warm); its first reply is checked and measured."""
        c = make()
        c.initialize()
        extra = {} if node else {"max_rows": n}
        _, line = c.query(self.sql(n), **extra)
        result = json.loads(line)["result"]
        if node:
            shown = len(json.loads(result["content"][0]["text"]))
            body = result["content"][0]["text"].encode()
        else:
            shown = result["structuredContent"]["row_count"]
            body = json.dumps(result["structuredContent"],
                              separators=(",", ":"),
                              ensure_ascii=False).encode()
        if result.get("isError") or shown != n:
            raise RuntimeError("%s returned %s rows, not %d: %s"
                               % (name, shown, n, line[:300]))
        case = "%d rows" % n
        self.emit("bytes_per_row_result", name, case, "bytes",
                  round(len(body) / n, 1))
        self.emit("bytes_per_row_line", name, case, "bytes",
                  round((len(line) + 1) / n, 1))

        def once():
            # Calls a few ms apart, as a client's are (a model thinks for
            # seconds): each server's work after its reply is its own.
            time.sleep(CALL_GAP_S)
            return c.query(self.sql(n), **extra)[0] * 1000
        return c, once

    def psql_once(self, n):
        """psql -At as a process, for n rows; (ms, its output)."""
        t0 = time.perf_counter()
        p = subprocess.run(self.psql_argv() + ["-c", self.sql(n)],
                           stdout=subprocess.PIPE, env=self.env, check=True)
        return (time.perf_counter() - t0) * 1000, p.stdout

    def rows(self, subjects, n):
        """n rows: the servers through the pipe, psql -At as a process,
        and psql's own \\timing of the SELECT and of COPY ... TO STDOUT
        on a warm connection (the fetch itself), analytics-mcp and the
        warm psql in turns so that load from elsewhere falls on both
        alike.  Then CPU per query and peak RSS of each server."""
        case = "%d rows" % n
        warm = WarmPsql(self.psql_argv(), self.env)
        servers = []
        try:
            for name, make, node in subjects:
                c, once = self.warm_server(name, make, node, n)
                servers.append((name, node, c, once, [], cpu_ms(c.pid)))
            copy = "COPY (%s) TO STDOUT" % self.sql(n)
            warm.time(self.sql(n))
            warm.time(copy)
            base = {"psql -At": [], WARM: [], COPY: []}
            out = b""
            # analytics-mcp and the warm psql in turns; the heavy ones
            # (Node, a psql process per run) after, each alone, so that
            # what they leave running (GC, a backend's exit) falls on no
            # other figure.
            for i in range(reps(n)):
                for name, node, c, once, times, _ in servers:
                    if not node:
                        times.append(once())
                base[WARM].append(warm.time(self.sql(n)))
                base[COPY].append(warm.time(copy))
                if n == ROWS[0]:
                    base.setdefault("one", []).append(warm.time("SELECT 1"))
            for i in range(reps(n)):
                t, out = self.psql_once(n)
                base["psql -At"].append(t)
            for name, node, c, once, times, _ in servers:
                if node:
                    times.extend(once() for _ in range(reps(n, node)))
            for name, node, c, once, times, cpu0 in servers:
                self.emit("query", name, case, "ms", spread(times))
                # What the server itself spent, which other load on the
                # machine changes far less than the time.
                self.emit("cpu_per_query", name, case, "ms",
                          round((cpu_ms(c.pid) - cpu0) / len(times), 2))
                self.emit("peak_rss", name, case, "KiB",
                          proc_memory(c.pid)["peak_rss_kb"])
            for name in ("psql -At", WARM, COPY):
                self.emit("query", name, case, "ms", spread(base[name]))
            self.emit("bytes_per_row_line", "psql -At", case, "bytes",
                      round(len(out) / n, 1))
            if "one" in base:
                # One statement's round trip: a call makes ten of them.
                self.emit("round_trip", WARM, "SELECT 1", "ms",
                          spread(base["one"]))
        finally:
            for s in servers:
                s[2].stop()
            warm.close()

    # ---- the run ----------------------------------------------------------

    def run(self):
        self.start_cluster()
        why = self.node_ready()
        subjects = [("analytics-mcp", self.ours, False)]
        if why is None:
            subjects.append(("node-reference", self.node, True))
        else:
            log("# skip - the Node reference server: %s" % why)
        self.load = [os.getloadavg()[0]]
        log("cold start ...")
        self.cold_start(subjects)
        log("sessions: idle memory, ping, tools/list ...")
        for s in subjects:
            self.session(*s)
        for n in ROWS:
            log("query %d rows ..." % n)
            self.rows(subjects, n)
        log("sessions at scale ...")
        scale.run(self, (3, 5) if QUICK else (50, 100, 200))
        self.load.append(os.getloadavg()[0])
        return report.write(self, self.outdir)

    def cleanup(self):
        self.pg_sh("destroy", self.pgdir, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def machine(self):
        cpu = "unknown"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
        return {"nproc": os.cpu_count(), "cpu": cpu,
                "ram_gib": round(mem_kb / 1048576, 1),
                "kernel": platform.release(),
                "postgresql": self.pg_version,
                "node": subprocess.run(["node", "--version"],
                                       stdout=subprocess.PIPE, text=True
                                       ).stdout.strip()
                if shutil.which("node") else "-",
                "loadavg_1min_start_end": self.load,
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: bench.py BINARY [OUTDIR]")
    outdir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(HERE, "out")
    b = Bench(sys.argv[1], outdir)
    try:
        b.run()
    finally:
        b.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
