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
        self.buf = b""
        self.next_id = 1
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.fd, selectors.EVENT_READ)

    def send(self, obj):
        self.proc.stdin.write(json.dumps(obj, separators=(",", ":"))
                              .encode() + b"\n")

    def read_line(self, timeout=60):
        """The next line (bytes, without its newline), or None.  Chunks
        are joined once, when the newline has come: a reply of megabytes
        costs the reader no more than one copy."""
        deadline = time.monotonic() + timeout
        parts = [self.buf]
        chunk = self.buf
        while b"\n" not in chunk:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                self.buf = b"".join(parts)
                return None
            chunk = os.read(self.fd, 1 << 22)
            if not chunk:
                self.buf = b"".join(parts)
                return None
            parts.append(chunk)
        data = b"".join(parts)
        i = data.find(b"\n")
        line, self.buf = data[:i], data[i + 1:]
        return line

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
                return time.perf_counter() - t0, line

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


def repeat(n, fn):
    """fn() n times; the list of what it returned."""
    return [fn() for _ in range(n)]
