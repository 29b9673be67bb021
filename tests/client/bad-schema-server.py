#!/usr/bin/env python3
"""A stand-in MCP server whose one tool breaks its own outputSchema: the
control that shows the SDK client's validation can fail (tests/reach.sh).
"""
import json
import sys

TOOL = {"name": "query", "description": "control",
        "inputSchema": {"type": "object"},
        "outputSchema": {"type": "object", "required": ["rows"],
                         "properties": {"rows": {"type": "array"}}}}

for line in sys.stdin:
    req = json.loads(line)
    if "id" not in req:
        continue
    m = req["method"]
    if m == "initialize":
        res = {"protocolVersion": req["params"]["protocolVersion"],
               "capabilities": {"tools": {}},
               "serverInfo": {"name": "control", "version": "1"}}
    elif m == "tools/list":
        res = {"tools": [TOOL]}
    elif m == "tools/call":
        res = {"content": [{"type": "text", "text": "{}"}],
               "structuredContent": {"rows": "not an array"}}
    else:
        res = {}
    print(json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": res}),
          flush=True)
