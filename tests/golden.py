#!/usr/bin/env python3
"""Golden JSON-RPC transcripts through the real binary, no database.

Each tests/golden/NAME.in holds request lines sent as they are, except:
  lines starting with '# ' are comments and are not sent;
  '#hex ' lines are hex-decoded first (for NUL bytes and invalid UTF-8).
The binary's stdout must equal tests/golden/NAME.out byte for byte.
Run with --update to rewrite the .out files (then review the diff).

--wrap CMD runs the binary under the command CMD (split like a shell
word list), e.g. valgrind: then the exit status must still be 0, so a
wrapper that reports errors through its exit status fails the case, and
its stderr is shown when it does.
"""
import difflib
import glob
import os
import shlex
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
    wrap = []
    suffix = ""
    if "--wrap" in sys.argv:
        wrap = shlex.split(sys.argv[sys.argv.index("--wrap") + 1])
        suffix = " under " + os.path.basename(wrap[0])
    failures = 0
    for case in sorted(glob.glob(os.path.join(HERE, "golden", "*.in"))):
        name = os.path.basename(case)[:-3]
        expected_path = case[:-3] + ".out"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PG", "MCP_", "DATABASE_URL"))}
        proc = subprocess.run(wrap + [binary] + ARGS,
                              input=request_bytes(case),
                              stdout=subprocess.PIPE, env=env,
                              stderr=subprocess.PIPE,
                              timeout=120 if wrap else 20)
        got = proc.stdout
        if update and not wrap:
            with open(expected_path, "wb") as f:
                f.write(got)
        with open(expected_path, "rb") as f:
            want = f.read()
        if got == want and proc.returncode == 0:
            print("ok - golden %s%s" % (name, suffix))
            continue
        failures += 1
        print("not ok - golden %s%s (exit %d)" % (name, suffix,
                                                  proc.returncode))
        if wrap:
            for line in proc.stderr.decode("utf-8", "replace").splitlines():
                print("# " + line)
        for d in difflib.unified_diff(
                want.decode("utf-8", "replace").splitlines(),
                got.decode("utf-8", "replace").splitlines(),
                "want", "got", lineterm=""):
            print("# " + d)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
