#!/usr/bin/env python3
"""Golden JSON-RPC transcripts through the real binary, no database.

Each tests/golden/NAME.in holds request lines sent as they are, except:
  lines starting with '# ' are comments and are not sent;
  '#hex ' lines are hex-decoded first (for NUL bytes and invalid UTF-8).
The binary's stdout must equal tests/golden/NAME.out byte for byte.
Run with --update to rewrite the .out files (then review the diff).
"""
import difflib
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# A database that cannot exist: these transcripts never need one.
ARGS = ["--dsn", "host=/nonexistent/analytics-mcp dbname=none",
        "--caller", "golden"]


def request_bytes(path):
    out = b""
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"#hex "):
                out += bytes.fromhex(line[5:].decode().strip()) + b"\n"
            elif line.startswith(b"# "):
                continue
            else:
                out += line
    return out


def main():
    binary = sys.argv[1]
    update = "--update" in sys.argv
    failures = 0
    for case in sorted(glob.glob(os.path.join(HERE, "golden", "*.in"))):
        name = os.path.basename(case)[:-3]
        expected_path = case[:-3] + ".out"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PG", "MCP_", "DATABASE_URL"))}
        proc = subprocess.run([binary] + ARGS, input=request_bytes(case),
                              stdout=subprocess.PIPE, env=env,
                              stderr=subprocess.DEVNULL, timeout=20)
        got = proc.stdout
        if update:
            with open(expected_path, "wb") as f:
                f.write(got)
        with open(expected_path, "rb") as f:
            want = f.read()
        if got == want and proc.returncode == 0:
            print("ok - golden %s" % name)
            continue
        failures += 1
        print("not ok - golden %s (exit %d)" % (name, proc.returncode))
        for d in difflib.unified_diff(
                want.decode("utf-8", "replace").splitlines(),
                got.decode("utf-8", "replace").splitlines(),
                "want", "got", lineterm=""):
            print("# " + d)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
