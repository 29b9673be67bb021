#!/usr/bin/env python3
"""--check as a runbook step: it must fail, saying why, when the role is a
superuser, can write, can create what outlives its session, or when a
schema of --schemas is missing or unreadable.

Each case grants analytics_ro one privilege as the superuser, runs
--check, and revokes it again (also when the check fails).

usage: check_privileges.py PGDIR BINARY  (see tests/mcptest.py)
"""
import os
import subprocess
import sys

# The helper library lives one directory up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (BINARY, DB, DSN, HOST, PORT, check, psql,  # noqa: E402
                     run_tests)


def run_check(*args, dsn=DSN):
    """--check's (exit status, standard output, standard error)."""
    p = subprocess.run([BINARY, "--check", "--caller", "ops", "--dsn", dsn,
                        *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30, text=True)
    return p.returncode, p.stdout, p.stderr


def problems(out):
    return [line for line in out.splitlines()
            if line.startswith("problem: ")]


def granted(grant, revoke, want, what):
    """Run --check with GRANT grant in force; it must exit 1 with one
    problem line holding every string of want."""
    rc, _, err = psql(grant)
    if not check(rc == 0, "as the superuser: " + grant, err):
        return
    try:
        rc, out, err = run_check()
    finally:
        psql(revoke)
    found = problems(out)
    check(rc == 1 and len(found) == 1 and
          all(w in found[0] for w in want) and "--check failed" in err,
          "--check exits 1 and says why when " + what, out + err)


def test_clean_role_passes():
    rc, out, err = run_check()
    check(rc == 0 and not problems(out) and
          "readable_schemas: fuel,reporting,tickets,tracksolid" in out,
          "--check exits 0 for analytics_ro as analytics_ro_role.sql "
          "makes it, with no problem line", out + err)
    rc, temp, _ = psql("SELECT has_database_privilege('analytics_ro', "
                       "current_database(), 'TEMP')")
    check(temp == "t" and rc == 0,
          "TEMP on the database (PostgreSQL's default for PUBLIC) is "
          "allowed: a temporary object dies with its session", temp)


def test_superuser():
    dsn = "host=%s port=%s dbname=%s user=postgres" % (HOST, PORT, DB)
    rc, out, err = run_check(dsn=dsn)
    found = problems(out)
    check(rc == 1 and found and "superuser" in found[0] and
          "role: postgres" in out,
          "--check exits 1 and says so when the role is a superuser",
          out + err)


def test_write_privileges():
    for priv in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
        granted("GRANT %s ON reporting.refresh_log TO analytics_ro" % priv,
                "REVOKE %s ON reporting.refresh_log FROM analytics_ro"
                % priv, ["can write 1 relation", "reporting.refresh_log"],
                "the role has %s on a table" % priv)
    granted("GRANT UPDATE (id) ON reporting.refresh_log TO analytics_ro",
            "REVOKE UPDATE (id) ON reporting.refresh_log FROM analytics_ro",
            ["can write 1 relation", "reporting.refresh_log"],
            "the role may UPDATE one column of a table")
    granted("GRANT INSERT ON reporting.v_daily_summary TO analytics_ro",
            "REVOKE INSERT ON reporting.v_daily_summary FROM analytics_ro",
            ["can write 1 relation", "reporting.v_daily_summary"],
            "the role has INSERT on a view")
    granted("GRANT UPDATE ON reporting.refresh_log_id_seq TO analytics_ro",
            "REVOKE UPDATE ON reporting.refresh_log_id_seq "
            "FROM analytics_ro",
            ["can write 1 relation", "reporting.refresh_log_id_seq"],
            "the role may UPDATE (setval) a sequence")


def test_create_privileges():
    granted("GRANT CREATE ON SCHEMA reporting TO analytics_ro",
            "REVOKE CREATE ON SCHEMA reporting FROM analytics_ro",
            ["create objects in schema(s) reporting"],
            "the role has CREATE on a readable schema")
    granted("GRANT CREATE ON SCHEMA public TO analytics_ro",
            "REVOKE CREATE ON SCHEMA public FROM analytics_ro",
            ["create objects in schema(s) public"],
            "the role has CREATE on public (a schema outside --schemas)")
    granted("GRANT CREATE ON DATABASE %s TO analytics_ro" % DB,
            "REVOKE CREATE ON DATABASE %s FROM analytics_ro" % DB,
            ["create schemas in database %s" % DB],
            "the role has CREATE on the database")
    granted("ALTER ROLE analytics_ro CREATEDB",
            "ALTER ROLE analytics_ro NOCREATEDB",
            ["create databases"], "the role has CREATEDB")
    granted("ALTER ROLE analytics_ro CREATEROLE",
            "ALTER ROLE analytics_ro NOCREATEROLE",
            ["create roles"], "the role has CREATEROLE")


def test_schemas():
    rc, out, err = run_check("--schemas", "reporting,nosuch")
    found = problems(out)
    check(rc == 1 and len(found) == 1 and
          "do not exist: nosuch" in found[0] and
          "readable_schemas: reporting" in out,
          "--check exits 1 when a schema of --schemas does not exist",
          out + err)
    rc, _, err = psql("CREATE SCHEMA amcp_check_hidden")
    if not check(rc == 0, "as the superuser: a schema analytics_ro may "
                 "not use", err):
        return
    try:
        rc, out, err = run_check("--schemas", "reporting,amcp_check_hidden")
    finally:
        psql("DROP SCHEMA amcp_check_hidden")
    found = problems(out)
    check(rc == 1 and len(found) == 1 and
          "cannot read (no USAGE): amcp_check_hidden" in found[0],
          "--check exits 1 when the role cannot read a schema of --schemas",
          out + err)


def main():
    return run_tests([test_clean_role_passes, test_superuser,
                      test_write_privileges, test_create_privileges,
                      test_schemas])


if __name__ == "__main__":
    sys.exit(main())
