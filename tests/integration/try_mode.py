#!/usr/bin/env python3
"""make try: the commands it prints work as printed.

tests/demo.sh --try (what make try runs) starts a cluster of its own in a
directory of this test, then prints a `claude mcp add` line, a
Claude Desktop / .mcp.json entry, a by-hand command and a stop command.
The server command is taken from the printed `claude mcp add` line, and
the official TypeScript SDK client (tests/client) starts a session with
it and gets a query answered; the by-hand command is run as printed; then
the printed stop command must stop the cluster's postmaster and remove
its directory.  Whatever happens, the cluster is destroyed at the end.

usage: try_mode.py PGDIR BINARY   (PGDIR is not used: the cluster here is
                                   the one make try starts)
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import BINARY, TOP, check, run_tests, sdk_client, wait_until

WORK = tempfile.mkdtemp(prefix="amcp-try.", dir="/tmp")
os.chmod(WORK, 0o755)
TRY_DIR = os.path.join(WORK, "try")
# What the runs below found, for the tests that follow them.
state = {}


def start():
    """tests/demo.sh --try as make try runs it; (returncode, stdout)."""
    p = subprocess.run(["sh", os.path.join(TOP, "tests", "demo.sh"),
                        "--try", "--bin", BINARY, TRY_DIR],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300, text=True)
    return p.returncode, p.stdout


def printed_line(out, pattern):
    """The first printed line matching pattern, stripped, or None."""
    for line in out.splitlines():
        if re.match(pattern, line.strip()):
            return line.strip()
    return None


def postmaster_pid():
    try:
        with open(os.path.join(TRY_DIR, "data", "postmaster.pid")) as f:
            return int(f.readline())
    except (OSError, ValueError):
        return None


def alive(pid):
    """Whether process pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_try_prints_the_commands():
    rc, out = start()
    state["out"] = out
    check(rc == 0, "make try (demo.sh --try) starts the sample database",
          out)
    add = printed_line(out, r"claude mcp add ")
    words = shlex.split(add or "")
    ok = words[:6] == ["claude", "mcp", "add", "--transport", "stdio",
                       "fleet-demo"] and words[6:7] == ["--"]
    check(ok, "it prints `claude mcp add --transport stdio fleet-demo -- "
          "COMMAND`", add or out)
    state["command"] = words[7:] if ok else []
    cmd = state["command"]
    check(cmd[:1] == [os.path.realpath(BINARY)] and os.path.isabs(cmd[0]) and
          cmd[1:2] == ["--dsn"] and "host=" + TRY_DIR in cmd[2] and
          "user=analytics_ro" in cmd[2] and "password" not in cmd[2],
          "the command is the binary by its absolute path with a DSN for "
          "the try cluster's socket, no password", cmd)
    entry = printed_line(out, r'\{"mcpServers"')
    try:
        server = json.loads(entry)["mcpServers"]["fleet-demo"]
    except (TypeError, ValueError, KeyError):
        server = None
    check(server is not None and
          [server.get("command")] + server.get("args", []) == cmd,
          "the .mcp.json / Claude Desktop entry is valid JSON with the "
          "same command and arguments", entry or out)
    check(postmaster_pid() is not None and alive(postmaster_pid()),
          "the cluster is running after make try returns",
          postmaster_pid())


def test_sdk_session_with_printed_command():
    cmd = state.get("command")
    if not cmd:
        check(False, "no command to start a session with")
        return
    ran = sdk_client(["--sql", "SELECT count(*) AS incidents FROM tickets.inc",
                      "--timeout", "60000"], cmd)
    if ran is None:
        return
    rc, summary, out = ran
    sc = summary.get("structured") or {}
    check(rc == 0 and summary.get("ok") is True and
          "query" in summary.get("tools", []) and
          sc.get("rows") == [[2000]],
          "the SDK client starts a session with the printed command and "
          "gets the sample data's 2000 incidents counted", out)


def test_by_hand_command():
    line = printed_line(state.get("out", ""), r"echo '\{")
    if line is None:
        check(False, "make try prints a by-hand command", state.get("out"))
        return
    p = subprocess.run(["sh", "-c", line], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, text=True)
    try:
        reply = json.loads(p.stdout)
    except ValueError:
        reply = {}
    sc = reply.get("result", {}).get("structuredContent", {})
    check(p.returncode == 0 and sc.get("rows") == [[2000]] and
          "tool=query" in p.stderr and "status=ok" in p.stderr,
          "the printed by-hand command answers on stdout, audits on stderr",
          p.stdout[-800:] + p.stderr[-400:])


def test_try_again_reuses_the_cluster():
    pid = postmaster_pid()
    rc, out = start()
    add = printed_line(out, r"claude mcp add ")
    check(rc == 0 and pid is not None and postmaster_pid() == pid and
          shlex.split(add or "")[7:] == state.get("command"),
          "make try again keeps the running cluster and prints the same "
          "command", out)


def test_printed_stop_command():
    out = state.get("out", "")
    stop = printed_line(out, r"make .*try-stop")
    pid = postmaster_pid()
    if stop is None or pid is None:
        check(False, "make try prints a stop command for a running cluster",
              out)
        return
    p = subprocess.run(["sh", "-c", stop], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120, text=True)
    check(p.returncode == 0 and not os.path.exists(TRY_DIR),
          "the printed stop command (%s) removes the directory" % stop,
          p.stdout)
    check(wait_until(lambda: not alive(pid), 10),
          "and the cluster's postmaster is gone", pid)


if __name__ == "__main__":
    try:
        status = run_tests([test_try_prints_the_commands,
                            test_sdk_session_with_printed_command,
                            test_by_hand_command,
                            test_try_again_reuses_the_cluster,
                            test_printed_stop_command])
    finally:
        if os.path.exists(TRY_DIR):
            subprocess.run(["sh", os.path.join(TOP, "tests", "pg.sh"),
                            "destroy", TRY_DIR], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(status)
