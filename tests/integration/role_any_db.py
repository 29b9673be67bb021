#!/usr/bin/env python3
"""The role SQL and its bootstrap for a database other than tracksolid_db.

A second database of the throwaway cluster, salesdb, with schemas sales
(owned by a migration role of its own), ops (owned by postgres) and
secret (never granted): bootstrap_analytics_ro.sh -d salesdb --schemas
sales,ops must make analytics_ro able to read sales and ops there, now
and for objects made later, and unable to write or read secret; nothing
it runs may name the fleet database or its schemas.  analytics_ro's
password stays the cluster's own (ro.pw), so the other suites are not
disturbed; salesdb and its owner role are dropped at the end.

usage: role_any_db.py PGDIR BINARY
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from mcptest import (DB, HOST, PGDIR, PORT, TOP, Server, check, run_tests,
                     text_of)

SALES_DB = "salesdb"
OWNER = "sales_owner"
BOOTSTRAP = os.path.join(TOP, "sql", "bootstrap_analytics_ro.sh")
ROLE_SQL = os.path.join(TOP, "sql", "analytics_ro_role.sql")
FLEET_NAMES = ("tracksolid", "reporting", "tickets", "fuel")
SALES_DSN = "host=%s port=%s dbname=%s user=analytics_ro" % (HOST, PORT,
                                                             SALES_DB)
WORK = tempfile.mkdtemp(prefix="role_any_db.")

SALES_SCHEMA = """
CREATE ROLE %(owner)s NOLOGIN;
""" % {"owner": OWNER}

SALES_OBJECTS = """
CREATE SCHEMA sales AUTHORIZATION %(owner)s;
CREATE SCHEMA ops;
CREATE SCHEMA secret;
SET ROLE %(owner)s;
CREATE TABLE sales.orders (id int PRIMARY KEY, amount numeric);
INSERT INTO sales.orders VALUES (1, 10.5), (2, 20);
RESET ROLE;
CREATE TABLE ops.shifts (id int, staff text);
INSERT INTO ops.shifts VALUES (1, 'ann');
CREATE FUNCTION ops.fn_staff_count() RETURNS bigint LANGUAGE sql STABLE
  AS 'SELECT count(*) FROM ops.shifts';
REVOKE EXECUTE ON FUNCTION ops.fn_staff_count() FROM PUBLIC;
CREATE TABLE secret.salaries (staff text, pay numeric);
INSERT INTO secret.salaries VALUES ('ann', 1000);
""" % {"owner": OWNER}


def su(sql, db=SALES_DB, extra=()):
    """SQL as the superuser on database db; (returncode, out, err)."""
    p = subprocess.run(
        ["psql", "-X", "-q", "-At", "-h", HOST, "-p", PORT, "-d", db,
         "-U", "postgres", "-v", "ON_ERROR_STOP=1", *extra, "-c", sql],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
        text=True)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def ro(sql):
    """SQL as analytics_ro on salesdb (Unix socket, trust)."""
    p = subprocess.run(
        ["psql", "-X", "-q", "-At", "-h", HOST, "-p", PORT, "-d", SALES_DB,
         "-U", "analytics_ro", "-v", "ON_ERROR_STOP=1", "-c", sql],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
        text=True)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def bootstrap(*args):
    """The bootstrap as root would run it, with the cluster's password."""
    pw = os.path.join(WORK, "ro.pw")
    shutil.copyfile(os.path.join(PGDIR, "ro.pw"), pw)
    os.chmod(pw, 0o600)
    p = subprocess.run(
        ["sh", BOOTSTRAP, "--pw-file", pw, "-h", HOST, "-p", PORT,
         "-U", "postgres", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
        text=True)
    return p.returncode, p.stdout


def setup():
    su("DROP DATABASE IF EXISTS %s WITH (FORCE)" % SALES_DB, db="postgres")
    su("DROP ROLE IF EXISTS %s" % OWNER, db="postgres")
    for sql, db in ((SALES_SCHEMA, "postgres"),
                    ("CREATE DATABASE %s" % SALES_DB, "postgres"),
                    (SALES_OBJECTS, SALES_DB)):
        rc, _, err = su(sql, db=db)
        if rc != 0:
            raise AssertionError(err)


def teardown():
    su("DROP DATABASE IF EXISTS %s WITH (FORCE)" % SALES_DB, db="postgres")
    su("DROP ROLE IF EXISTS %s" % OWNER, db="postgres")
    shutil.rmtree(WORK, ignore_errors=True)


def test_missing_schema_is_named():
    rc, out = bootstrap("-d", SALES_DB, "--schemas", "sales,nosuch")
    check(rc == 1 and "has no schema nosuch" in out,
          "a schema missing from the database stops the bootstrap, named",
          out)
    check(ro("SELECT count(*) FROM sales.orders")[0] != 0,
          "and nothing was granted before it stopped")


def test_default_schemas_do_not_fit_another_database():
    rc, out = bootstrap("-d", SALES_DB)
    check(rc == 1 and "has no schema fuel, reporting, tickets, tracksolid"
          in out, "the fleet defaults on another database fail, naming "
          "the schemas it lacks", out)


def test_bad_schema_list_refused():
    rc, out = bootstrap("-d", SALES_DB, "--schemas", "sales;drop")
    check(rc == 1 and "--schemas" in out,
          "a --schemas value that is not plain names is refused", out)


def test_bootstrap_other_database():
    service = os.path.join(WORK, "pg_service.conf")
    rc, out = bootstrap("-d", SALES_DB, "--schemas", "sales,ops",
                        "--service-file", service)
    check(rc == 0, "bootstrap -d salesdb --schemas sales,ops succeeds", out)
    check("readable schemas: sales,ops" in out and
          not any(n in out for n in FLEET_NAMES),
          "its output names salesdb's schemas and nothing of the fleet "
          "database", out)
    with open(service) as f:
        svc = f.read()
    check("dbname=%s\n" % SALES_DB in svc and "tracksolid" not in svc,
          "the service file it writes names salesdb", svc)

    check(ro("SELECT sum(amount) FROM sales.orders") == (0, "30.5", ""),
          "analytics_ro reads sales.orders", ro("TABLE sales.orders"))
    check(ro("SELECT ops.fn_staff_count()")[:2] == (0, "1"),
          "analytics_ro may run ops's functions (EXECUTE revoked from "
          "PUBLIC, granted by the role SQL)", ro("SELECT ops.fn_staff_count()"))
    rc, _, err = ro("SELECT * FROM secret.salaries")
    check(rc != 0 and "permission denied" in err,
          "analytics_ro cannot read the schema not listed", err)
    for sql in ("INSERT INTO sales.orders VALUES (3, 1)",
                "UPDATE ops.shifts SET staff = 'x'",
                "CREATE TABLE sales.x (i int)"):
        rc, _, err = ro("BEGIN READ WRITE; %s; COMMIT" % sql)
        check(rc != 0 and "permission denied" in err,
              "analytics_ro cannot write: %s" % sql, err)

    # Objects made later, by each schema's owner, are readable at once.
    rc, _, err = su("SET ROLE %s; CREATE TABLE sales.refunds (id int); "
                    "RESET ROLE; CREATE TABLE ops.rota (id int)" % OWNER)
    check(rc == 0 and ro("SELECT count(*) FROM sales.refunds")[:2] ==
          (0, "0") and ro("SELECT count(*) FROM ops.rota")[:2] == (0, "0"),
          "tables made later in sales (by its owner) and ops (by postgres) "
          "are readable", err)
    rc, out, _ = su("SELECT n.nspname || ':' || pg_get_userbyid("
                    "d.defaclrole) || ':' || d.defaclobjtype::text "
                    "FROM pg_default_acl d JOIN pg_namespace n "
                    "ON n.oid = d.defaclnamespace")
    acl = sorted(out.split())
    check(acl == ["ops:postgres:f", "ops:postgres:r",
                  "sales:%s:f" % OWNER, "sales:%s:r" % OWNER],
          "default privileges are keyed to each schema's owner", acl)

    s = Server("--schemas", "sales,ops", dsn=SALES_DSN)
    s.initialize()
    sc = s.tool("list_schemas").get("structuredContent", {})
    check([x["schema"] for x in sc.get("schemas", [])] == ["ops", "sales"],
          "analytics-mcp --schemas sales,ops lists both schemas", sc)
    r = s.tool("query", sql="SELECT id, amount FROM sales.orders ORDER BY 1")
    check(r.get("structuredContent", {}).get("rows") == [[1, 10.5], [2, 20]],
          "analytics-mcp answers a query on salesdb", r)
    r = s.tool("query", sql="SELECT * FROM secret.salaries")
    check(r.get("isError") is True and "permission denied" in text_of(r),
          "analytics-mcp cannot read the schema not granted", r)
    s.stop()


def test_role_sql_names_nothing_of_the_fleet():
    """Every statement the role SQL sends for salesdb, as psql echoes it."""
    with open(os.path.join(PGDIR, "ro.pw")) as f:
        pw = f.read().strip()
    # The password travels on stdin, as the bootstrap sends it.
    script = "\\set ro_pw %s\n\\i '%s'\n" % (pw, ROLE_SQL)
    p = subprocess.run(
        ["psql", "-X", "-q", "-h", HOST, "-p", PORT, "-d", SALES_DB,
         "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-v", "ECHO=queries",
         "-v", "db=" + SALES_DB, "-v", "schemas=sales, ops"],
        input=script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=60, text=True)
    sent = p.stdout.replace(pw, "<password>")
    check(p.returncode == 0, "the role SQL applies with -v db=salesdb "
          "-v 'schemas=sales, ops' (blanks ignored)", sent[-2000:])
    check('GRANT CONNECT ON DATABASE "%s"' % SALES_DB in sent and
          "GRANT USAGE ON SCHEMA sales TO analytics_ro" in sent and
          "GRANT USAGE ON SCHEMA ops TO analytics_ro" in sent,
          "it grants CONNECT on salesdb and USAGE on sales and ops",
          sent[-2000:])
    named = [n for n in ("tracksolid_db",) + FLEET_NAMES if n in sent]
    check(not named, "no statement it sends names tracksolid_db or the "
          "fleet's schemas", named)
    rc, acl, _ = su("SELECT datacl FROM pg_database "
                    "WHERE datname = 'tracksolid_db'", db="postgres")
    check(rc == 0 and acl.count("analytics_ro=") == 1,
          "tracksolid_db keeps its one CONNECT grant", acl)

    wrong = subprocess.run(
        ["psql", "-X", "-q", "-h", HOST, "-p", PORT, "-d", DB,
         "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-v", "db=" + SALES_DB,
         "-v", "schemas=sales"],
        input=script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=60, text=True)
    check(wrong.returncode != 0 and "but db is %s" % SALES_DB in wrong.stdout,
          "the role SQL refuses to grant db=salesdb while connected to "
          "another database", wrong.stdout)


if __name__ == "__main__":
    try:
        setup()
        status = run_tests([test_bad_schema_list_refused,
                            test_missing_schema_is_named,
                            test_default_schemas_do_not_fit_another_database,
                            test_bootstrap_other_database,
                            test_role_sql_names_nothing_of_the_fleet])
    finally:
        teardown()
    sys.exit(status)
