#!/usr/bin/env python3
"""A short scripted MCP session with analytics-mcp, printed for people.

usage: demo.py BINARY DSN
"""
import json
import subprocess
import sys

BINARY, DSN = sys.argv[1], sys.argv[2]

QUERIES = [
    ("Distance and overspeed events per cost centre, September 2026",
     "SELECT cost_centre, vehicles, distance_km, overspeed_events\n"
     "FROM reporting.v_monthly_cost_centre\n"
     "WHERE month = '2026-09-01' ORDER BY distance_km DESC"),
    ("Open incidents by region and SLA status",
     "SELECT region, sla_status, count(*) AS open_incidents\n"
     "FROM tickets.inc WHERE normalized_status = 'open'\n"
     "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 8"),
    ("Mean time to repair by cluster, September 2026",
     "SELECT * FROM tickets.fn_mttr_by_cluster('2026-09-01', '2026-09-30')"),
]


class Session:
    def __init__(self):
        self.proc = subprocess.Popen(
            [BINARY, "--dsn", DSN, "--caller", "demo"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.id = 0

    def request(self, method, params=None):
        self.id += 1
        msg = {"jsonrpc": "2.0", "id": self.id, "method": method}
        if params is not None:
            msg["params"] = params
        print("  -> " + json.dumps(msg)[:110])
        self.proc.stdin.write(json.dumps(msg).encode() + b"\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if "error" in reply:
            raise SystemExit("error: %s" % reply["error"])
        return reply["result"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)


def table(columns, rows):
    """Rows as an aligned text table."""
    cells = [[c["name"] for c in columns]] + \
            [["NULL" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    out = []
    for n, r in enumerate(cells):
        out.append("    " + "  ".join(v.ljust(w) for v, w in zip(r, widths)))
        if n == 0:
            out.append("    " + "  ".join("-" * w for w in widths))
    return "\n".join(out)


def main():
    s = Session()
    print("\n== initialize")
    init = s.request("initialize", {"protocolVersion": "2025-11-25",
                                    "capabilities": {},
                                    "clientInfo": {"name": "demo",
                                                   "version": "1"}})
    print("  <- %s %s, protocol %s" % (init["serverInfo"]["name"],
                                       init["serverInfo"]["version"],
                                       init["protocolVersion"]))
    print("\n== tools/list")
    for t in s.request("tools/list")["tools"]:
        props = ", ".join(t["inputSchema"]["properties"])
        print("  %-15s %-28s (%s)" % (t["name"], t["title"], props))
    print("\n== list_schemas")
    res = s.request("tools/call", {"name": "list_schemas", "arguments": {}})
    for x in res["structuredContent"]["schemas"]:
        print("  %-11s %2d tables %2d views %d matviews %2d functions" % (
            x["schema"], x["tables"], x["views"], x["materialized_views"],
            x["functions"]))
    for title, sql in QUERIES:
        print("\n== query: " + title)
        print("\n".join("    " + line for line in sql.splitlines()))
        res = s.request("tools/call", {"name": "query",
                                       "arguments": {"sql": sql}})
        if res["isError"]:
            print(res["content"][0]["text"])
            continue
        sc = res["structuredContent"]
        print(table(sc["columns"], sc["rows"]))
        print("    (%d rows, %d ms%s)" % (sc["row_count"], sc["elapsed_ms"],
                                         ", truncated" if sc["truncated"]
                                         else ""))
    print("\n== query: a write attempt")
    res = s.request("tools/call", {"name": "query", "arguments": {
        "sql": "DELETE FROM fuel.records"}})
    print("  <- isError=%s: %s" % (res["isError"], res["content"][0]["text"]))
    s.close()
    print("""
== connect Claude Code to a real deployment (README, "Connect")
  claude mcp add --transport stdio fleet -- \\
      ssh -T -o BatchMode=yes analytics@dbhost
  (the key's forced command runs analytics-mcp as the right caller)
""")


if __name__ == "__main__":
    main()
