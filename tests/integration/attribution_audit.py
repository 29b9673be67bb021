#!/usr/bin/env python3
"""Who is asking: application_name, the audit log and line, the
callers file and SSH_USER_AUTH.

usage: attribution_audit.py PGDIR BINARY  (see tests/mcptest.py)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import BINARY, DSN, Server, check, run_tests


def test_attribution_and_audit():
    with tempfile.TemporaryDirectory() as d:
        audit = os.path.join(d, "audit.jsonl")
        s = Server("--audit-log", audit, caller="alice",
                   env={"SSH_CONNECTION": "192.0.2.7 50000 127.0.0.1 22"})
        s.initialize()
        r = s.tool("query", sql="SELECT application_name FROM "
                   "pg_stat_activity WHERE pid = pg_backend_pid()")
        check(r["structuredContent"]["rows"] == [["analytics-mcp/alice"]],
              "application_name names the caller",
              r["structuredContent"]["rows"])
        s.tool("query", sql="SELECT x\nFROM generate_series(1, 3) x")
        s.tool("query", sql="DELETE FROM fuel.records")
        s.tool("query", sql="SELECT 1/0")
        s.stop()
        with open(audit) as f:
            recs = [json.loads(line) for line in f]
        check(len(recs) == 4 and all(x["caller"] == "alice" and
                                      x["peer"] == "192.0.2.7" for x in recs),
              "--audit-log has one JSON line per call with the caller", recs)
        check(recs[1]["rows"] == 3 and recs[1]["status"] == "ok"
              and recs[1]["sql"] == "SELECT x\nFROM generate_series(1, 3) x"
              and recs[2]["status"] == "error"
              and recs[3]["status"] == "22012",
              "audit records rows, status and SQL", recs[1:])
        log = s.log()
        check("caller=alice peer=192.0.2.7 tool=query rows=3 truncated=0"
              in log and 'sql="SELECT x\\nFROM generate_series(1, 3) x"\n'
              in log,
              "stderr carries the audit line with the SQL quoted, last, on "
              "one line", log)


ALICE_KEY = ("AAAAC3NzaC1lZDI1NTE5AAAAIASDLPKG72OglyEMk7IAGiW+gCZGBLC+JMif/"
             "jB83WTg")


ALICE_FP = "SHA256:N6UkpGalYHsoQjdre9xqANz9cB7Ogfmm6rt4bnetg7Q"


def check_caller(args, env):
    """The caller line of --check run with args and env."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    e.update(env)
    p = subprocess.run([BINARY, "--check", "--dsn", DSN] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, text=True, env=e)
    m = re.search(r"^caller: (.*)$", p.stdout, re.M)
    return p.returncode, (m.group(1) if m else p.stderr.strip())


def test_attribution_sources():
    if os.geteuid() != 0:
        print("# skip: the callers file must be root-owned; run as root")
        return
    with tempfile.TemporaryDirectory() as d:
        auth = os.path.join(d, "auth")
        callers = os.path.join(d, "callers")
        with open(auth, "w") as f:
            f.write("publickey ssh-ed25519 %s\n" % ALICE_KEY)
        with open(callers, "w") as f:
            f.write("# test\n%s alice\n" % ALICE_FP)
        os.chmod(callers, 0o644)
        env = {"SSH_USER_AUTH": auth,
               "SSH_ORIGINAL_COMMAND": "analytics-mcp --caller mallory",
               "LANG": "mallory", "LC_ALL": "C"}
        rc, who = check_caller(["--callers-file", callers], env)
        check(rc == 0 and who == "alice (ssh key (callers file))",
              "SSH_USER_AUTH's key is mapped through the callers file", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller"], env)
        check(rc == 0 and who == "alice (ssh key (callers file))",
              "--require-key-caller accepts a mapped key", who)
        rc, who = check_caller(["--callers-file", callers, "--caller", "bob"],
                               env)
        check(who.startswith("bob (--caller)"), "--caller wins", who)
        login = subprocess.run(["id", "-un"], stdout=subprocess.PIPE,
                               text=True).stdout.strip()
        rc, who = check_caller(["--callers-file", callers],
                               {"SSH_ORIGINAL_COMMAND": "--caller mallory"})
        check(who == "%s (login name)" % login,
              "without SSH_USER_AUTH the login name is the caller; "
              "SSH_ORIGINAL_COMMAND is ignored", who)
        with open(callers, "w") as f:
            f.write("SHA256:someoneelse carol\n")
        rc, who = check_caller(["--callers-file", callers], env)
        check(who == "%s (login name)" % login,
              "an unmapped key falls back to the login name", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller"], env)
        check(rc == 1 and "--require-key-caller" in who,
              "--require-key-caller refuses an unmapped key", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller"],
                               {"SSH_ORIGINAL_COMMAND": "x"})
        check(rc == 1, "--require-key-caller refuses a session without "
              "SSH_USER_AUTH", who)
        rc, who = check_caller(["--callers-file", callers,
                                "--require-key-caller", "--caller", "ops"],
                               env)
        check(rc == 0 and who.startswith("ops (--caller)"),
              "--caller still satisfies --require-key-caller", who)
        os.chmod(callers, 0o666)
        rc, who = check_caller(["--callers-file", callers], env)
        check(rc == 1 and "writable by no one else" in who,
              "a callers file others can write is refused", who)
        os.chmod(callers, 0o644)
        os.chown(callers, 65534, 65534)
        rc, who = check_caller(["--callers-file", callers], env)
        check(rc == 1 and "owned by root" in who,
              "a callers file not owned by root is refused", who)

    s = Server(caller="alice")
    s.request("initialize", {"protocolVersion": "2025-11-25",
                             "capabilities": {},
                             "clientInfo": {"name": "mallory",
                                            "version": "1"}})
    r = s.tool("query", sql="SELECT current_setting('application_name')")
    check(r["structuredContent"]["rows"] == [["analytics-mcp/alice"]],
          "the MCP clientInfo does not change the caller")
    s.stop()
    check("caller=alice" in s.log() and "mallory" not in s.log(),
          "the audit names the caller, not the clientInfo")


def main():
    return run_tests([test_attribution_and_audit, test_attribution_sources])


if __name__ == "__main__":
    sys.exit(main())
