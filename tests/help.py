#!/usr/bin/env python3
"""Help for a person: -h and --help, the environment in --help, the keys
wrapper's --help, and what the server says when started on a terminal.

usage: help.py BINARY  (no database; see tests/mcptest.py)
"""
import glob
import os
import pty
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mcptest  # noqa: E402
from mcptest import BINARY, TOP, check  # noqa: E402

NO_DB = ["--caller", "tester", "--dsn", "host=/nonexistent/amcp dbname=x"]
KEYS = os.path.join(TOP, "wrappers", "analytics-mcp-keys")


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          timeout=30, text=True, **kw)


def test_h_is_help():
    long_, short = run([BINARY, "--help"]), run([BINARY, "-h"])
    check(short.returncode == 0 and short.stdout == long_.stdout and
          "--statement-timeout" in short.stdout and not short.stderr,
          "-h prints --help's text to standard output and exits 0",
          short.stdout + short.stderr)


def test_help_lists_environment():
    names = set()
    for f in glob.glob(os.path.join(TOP, "mcp-stdio", "*.c")):
        with open(f) as fh:
            names |= set(re.findall(r'getenv\("([A-Z_]+)"\)', fh.read()))
    out = run([BINARY, "--help"]).stdout
    missing = sorted(n for n in names if not re.search(r"\b%s\b" % n, out))
    check(len(names) >= 12 and not missing,
          "--help names every environment variable the sources read "
          "(%d: MCP_*, DATABASE_URL, PGPASSWORD, SSH_*, SOCAT_*)"
          % len(names), "missing: %s" % missing)
    check(all(v in out for v in ("PGHOST", "PGSERVICE", "PGPASSFILE")),
          "--help names libpq's PG* variables", out)


def test_keys_help():
    getopts = ""
    with open(KEYS) as f:
        m = re.search(r"^while getopts ([a-zA-Z:]+) ", f.read(), re.M)
        getopts = m.group(1).replace(":", "") if m else ""
    for flag in ("--help", "-h"):
        p = run(["sh", KEYS, flag])
        missing = [c for c in getopts
                   if not re.search(r"^  -%s\b" % c, p.stdout, re.M)]
        missing += [c for c in ("add NAME KEYFILE", "add-cert NAME KEYID",
                                "remove NAME", "list ")
                    if c not in p.stdout]
        check(p.returncode == 0 and len(getopts) >= 10 and not missing and
              not p.stderr,
              "analytics-mcp-keys %s describes add, add-cert, remove, list "
              "and every option (%d) on standard output, exit 0"
              % (flag, len(getopts)),
              "exit %d, missing %s\n%s" % (p.returncode, missing, p.stderr))
    p = run(["sh", KEYS, "-Z"])
    check(p.returncode == 2 and "usage:" in p.stderr and not p.stdout,
          "analytics-mcp-keys with an unknown option still exits 2 with "
          "the usage on standard error", p.stderr)


def read_until(fd, want, timeout):
    """Read fd until want is in what was read or timeout; returns bytes."""
    buf = b""
    end = time.monotonic() + timeout
    while want not in buf and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
    return buf


def test_terminal():
    master, slave = pty.openpty()
    p = subprocess.Popen([BINARY] + NO_DB, stdin=slave,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    try:
        err = read_until(p.stderr.fileno(), b"Ctrl-D", 10)
        check(b"read-only MCP server" in err and b"Ctrl-D" in err,
              "started on a terminal, the server says on standard error "
              "what it is and that Ctrl-D ends it", err.decode(errors="replace"))
        os.write(master, b'{"jsonrpc":"2.0","id":7,"method":"ping"}\n')
        out = read_until(p.stdout.fileno(), b"\n", 10)
        check(out == b'{"jsonrpc":"2.0","id":7,"result":{}}\n',
              "on a terminal, standard output carries only the answers "
              "(a typed ping is answered)", out)
        os.write(master, b"\x04")
        rc = p.wait(10)
        rest = p.stdout.read()
        check(rc == 0 and rest == b"",
              "Ctrl-D on the terminal ends the server with status 0 and "
              "nothing more on standard output", "exit %s, %r" % (rc, rest))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(5)
        os.close(master)
    p = subprocess.Popen([BINARY] + NO_DB, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(b"", timeout=10)
    check(p.returncode == 0 and b"Ctrl-D" not in err and out == b"",
          "started by a client (standard input a pipe), it says nothing "
          "of terminals", err.decode(errors="replace"))


def main():
    for t in (test_h_is_help, test_help_lists_environment, test_keys_help,
              test_terminal):
        print("# " + t.__name__)
        t()
    return 1 if mcptest.FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
