"""What bench.py measures with: an MCP server as a child spoken to line
by line, /proc memory figures, and medians with their spread.

Nothing here asserts anything: the benchmark reports, it does not pass
or fail (see bench/README.md).
"""
import json
import os
import selectors
import statistics
import subprocess
import time


def proc_memory(pid):
    """RSS, PSS and USS (private clean + dirty) in KiB, from
    /proc/PID/smaps_rollup, and the peak RSS (VmHWM) from status."""
    m = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":"):
                m[parts[0][:-1]] = int(parts[1]) if parts[1].isdigit() else 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                m["VmHWM"] = int(line.split()[1])
    return {"rss_kb": m.get("Rss", 0), "pss_kb": m.get("Pss", 0),
            "uss_kb": m.get("Private_Clean", 0) + m.get("Private_Dirty", 0),
            "peak_rss_kb": m.get("VmHWM", 0)}


def cpu_ms(pid):
    """CPU time pid has used, in ms: the nanoseconds on the CPU of its
    live threads (/proc/PID/task/*/schedstat), else the clock ticks of
    /proc/PID/stat."""
    try:
        total = 0
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        return total / 1e6
    except (OSError, ValueError, IndexError):
        pass
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / \
        os.sysconf("SC_CLK_TCK")


def spread(samples):
    """Median, quartiles, extremes and count of a list of numbers."""
    s = sorted(samples)
    if len(s) == 1:
        q1 = q3 = s[0]
    else:
        q1, _, q3 = statistics.quantiles(s, n=4, method="inclusive")
    return {"median": statistics.median(s), "p25": q1, "p75": q3,
            "min": s[0], "max": s[-1], "n": len(s)}


class Child:
    """An MCP server on stdin/stdout; stderr goes to a file or nowhere."""

    def __init__(self, argv, env=None, stderr=subprocess.DEVNULL):
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr,
                                     env=env, bufsize=0)
        self.pid = self.proc.pid
        self.fd = self.proc.stdout.fileno()
        self.buf = bytearray(1 << 16)   # input; lines are [start, end)
        self.start = self.end = self.scan = 0   # scan: no newline before
        self.t_read = self.t_line = 0.0
        self.next_id = 1
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.fd, selectors.EVENT_READ)

    def send(self, obj):
        self.proc.stdin.write(json.dumps(obj, separators=(",", ":"))
                              .encode() + b"\n")

    def read_line(self, timeout=60):
        """The next line (bytes, without its newline), or None.  Input is
        read straight into one buffer kept between calls and only new
        bytes are searched for the newline, so a reply of megabytes costs
        the reader one copy, out of the buffer; t_line is when the read
        that brought the newline returned, before that copy."""
        deadline = time.monotonic() + timeout
        while True:
            i = self.buf.find(b"\n", self.scan, self.end)
            if i != -1:
                self.t_line = self.t_read
                with memoryview(self.buf) as mv:
                    line = bytes(mv[self.start:i])
                self.start = self.scan = i + 1
                if self.start == self.end:
                    self.start = self.end = self.scan = 0
                return line
            self.scan = self.end
            if self.end == len(self.buf):
                self.make_room()
            left = deadline - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                return None
            with memoryview(self.buf) as mv:
                n = os.readv(self.fd, [mv[self.end:]])
            self.t_read = time.perf_counter()
            if n == 0:
                return None
            self.end += n

    def make_room(self):
        """Room after end: the unread bytes moved to the front, or the
        buffer doubled."""
        if self.start > 0:
            n = self.end - self.start
            self.buf[0:n] = self.buf[self.start:self.end]
            self.scan -= self.start
            self.start, self.end = 0, n
        else:
            self.buf.extend(bytes(len(self.buf)))

    def request(self, method, params=None, timeout=60):
        """Send one request; (seconds to its reply, reply line bytes).
        Notifications before the reply are skipped."""
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        t0 = time.perf_counter()
        self.send(msg)
        while True:
            line = self.read_line(timeout)
            if line is None:
                raise RuntimeError("no reply to %s from pid %d"
                                   % (method, self.pid))
            if b'"id":%d' % rid in line or b'"id": %d' % rid in line:
                return self.t_line - t0, line

    def initialize(self):
        """initialize and notifications/initialized; seconds from spawn
        to the initialize reply."""
        self.request("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"}})
        t = time.perf_counter() - self.t_spawn
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return t

    def query(self, sql, **extra):
        """tools/call query; (seconds, reply line bytes)."""
        args = {"sql": sql}
        args.update(extra)
        return self.request("tools/call", {"name": "query",
                                           "arguments": args})

    def stop(self, timeout=10):
        """Close stdin, wait; kill by PID after timeout seconds."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.sel.close()


def cold_call(child):
    """A new server's first call: (ms from spawn to its initialize reply,
    ms from spawn to the reply of a first query, SELECT 1, which waits for
    what the handshake does not: libpq and the connection).  The child is
    stopped."""
    init = child.initialize() * 1000
    child.query("SELECT 1")
    first = (time.perf_counter() - child.t_spawn) * 1000
    child.stop()
    return init, first


def repeat(n, fn):
    """fn() n times; the list of what it returned."""
    return [fn() for _ in range(n)]
