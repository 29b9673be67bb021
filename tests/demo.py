#!/usr/bin/env python3
"""A scripted MCP session with analytics-mcp, shown as the model sees it.

usage: demo.py BINARY DSN

Each request is printed whole, as the line sent on the server's stdin;
each tool result's structuredContent (what Claude Code hands the model)
pretty-printed, long arrays elided with a count; an error result's text
as it is; and every line the server writes on stderr (the audit line of
each call) as it is written.  Exit status 0, or 1 when the server does
not answer as expected.
"""
import json
import os
import select
import subprocess
import sys
import time

BINARY, DSN = sys.argv[1], sys.argv[2]
# Arrays longer than this show their first SHOW_ITEMS elements.
MAX_ITEMS = 8
SHOW_ITEMS = 4
WIDTH = 100
INDENT = "   "


class Number(str):
    """A JSON number as the server wrote it (Python's float would print
    73.0 for 73.0 but 1e+16 for 10000000000000000.0)."""


def parse(text):
    return json.loads(text, parse_int=Number, parse_float=Number)


def compact(value):
    """value on one line, numbers as written."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " +
                               compact(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(compact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def pretty(value, depth=0):
    """value as indented JSON lines: a member or element that fits on one
    line stays on one line; an array of more than MAX_ITEMS elements shows
    SHOW_ITEMS and a line saying how many more there are."""
    pad = "  " * depth
    one = compact(value)
    if depth > 0 and len(pad) + len(one) <= WIDTH or \
            not isinstance(value, (dict, list)) or not value:
        return [one]
    if isinstance(value, dict):
        items = list(value.items())
        out = ["{"]
        for i, (k, v) in enumerate(items):
            sub = pretty(v, depth + 1)
            comma = "," if i < len(items) - 1 else ""
            out.append("  " * (depth + 1) +
                       json.dumps(k, ensure_ascii=False) + ": " + sub[0])
            out.extend(sub[1:])
            out[-1] += comma
        out.append(pad + "}")
        return out
    shown = value if len(value) <= MAX_ITEMS else value[:SHOW_ITEMS]
    out = ["["]
    for i, v in enumerate(shown):
        sub = pretty(v, depth + 1)
        out.append("  " * (depth + 1) + sub[0])
        out.extend(sub[1:])
        if i < len(value) - 1:
            out[-1] += ","
    if len(shown) < len(value):
        out.append("  " * (depth + 1) + "... %d more, not shown here "
                   "(the model gets all %d)" % (len(value) - len(shown),
                                                len(value)))
    out.append(pad + "]")
    return out


def show(lines):
    for line in lines:
        print(INDENT + line)


class Session:
    """The server as a child, spoken to line by line."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [BINARY, "--dsn", DSN, "--caller", "demo"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.errbuf = b""
        self.id = 0

    def send(self, msg):
        line = json.dumps(msg, ensure_ascii=False, separators=(",", ":"))
        print("-> " + line)
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method, params=None):
        self.id += 1
        msg = {"jsonrpc": "2.0", "id": self.id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("demo: the server closed its stdout")
        reply = parse(line)
        if "error" in reply:
            raise SystemExit("demo: JSON-RPC error %s" % reply["error"])
        return reply["result"], len(line)

    def show_stderr(self, wait):
        """Print the server's stderr lines, waiting up to wait seconds for
        the first (a tool call's audit line follows its reply)."""
        fd = self.proc.stderr.fileno()
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic() if b"\n" not in \
                self.errbuf else 0
            if not select.select([fd], [], [], max(left, 0))[0]:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self.errbuf += chunk
        *lines, self.errbuf = self.errbuf.split(b"\n")
        for line in lines:
            print("stderr: " + line.decode("utf-8", "replace"))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)
        self.show_stderr(0.5)


def heading(text):
    print("\n== " + text)


def call(s, name, arguments):
    """A tools/call, its result as the model gets it, its audit line."""
    result, _ = s.request("tools/call", {"name": name,
                                         "arguments": arguments})
    if result.get("isError"):
        print("<- isError: true, and content[0].text:")
        show(result["content"][0]["text"].splitlines())
    else:
        sc = result["structuredContent"]
        same = parse(result["content"][0]["text"]) == sc
        print("<- structuredContent%s:" % (
            " (content[0].text holds the same JSON as text)" if same
            else ""))
        show(pretty(sc))
        if not same:
            print("<- content[0].text:")
            show(result["content"][0]["text"].splitlines())
    s.show_stderr(5)
    return result


def main():
    print("""A session with analytics-mcp as an MCP client and the model see it.
  ->      a request: the line the client writes to the server's stdin
  <-      the reply; of a tool call, its structuredContent (what Claude
          Code hands the model; arrays of more than %d elements are
          elided here)
  stderr: a line the server writes to stderr: the audit line of each
          tool call (also sent to syslog, and with --audit-log as JSON)""" %
          MAX_ITEMS)
    s = Session()
    heading("initialize: the client's hello; the server says what it is "
            "and how to start")
    init, _ = s.request("initialize", {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "demo", "version": "1"}})
    print("<- result:")
    show(pretty(init))
    s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    print("   (a notification: no reply)")

    heading("tools/list: what the model may call")
    tools, size = s.request("tools/list")
    print("<- %d tools, %d bytes with their descriptions, input and output "
          "schemas; the names and arguments:" % (len(tools["tools"]), size))
    for t in tools["tools"]:
        show(["%-15s %s" % (t["name"], ", ".join(
            t["inputSchema"].get("properties", {})) or "(no arguments)")])

    heading("list_schemas: the model's first look (every number here is "
            "from the catalog)")
    call(s, "list_schemas", {})
    heading("list_tables: one schema's tables and views, estimated rows")
    call(s, "list_tables", {"schema": "tickets"})
    heading("describe_table: columns, types, keys, and what ANALYZE knows "
            "of the values")
    call(s, "describe_table", {"schema": "tickets", "table": "inc"})

    heading("query: columns once, rows as arrays, values typed")
    call(s, "query", {"sql": "SELECT region, sla_status, count(*) AS "
                      "open_incidents FROM tickets.inc WHERE "
                      "normalized_status = 'open' GROUP BY 1, 2 "
                      "ORDER BY 3 DESC"})
    heading("query with max_rows: a truncated result says so, and what "
            "to do")
    call(s, "query", {"sql": "SELECT imei, recorded_at, speed_kmh FROM "
                      "tracksolid.positions ORDER BY recorded_at DESC",
                      "max_rows": 3})
    heading("query with a mistake: PostgreSQL's error, SQLSTATE, the "
            "position marked, the hint")
    call(s, "query", {"sql": "SELECT region, count(*) FROM tickets.inc "
                      "GROUP BY regoin"})
    heading("query that writes: refused before it reaches the database")
    call(s, "query", {"sql": "DELETE FROM fuel.records"})
    s.close()


if __name__ == "__main__":
    main()
