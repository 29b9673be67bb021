-- analytics_ro_role.sql — dedicated read-only LOGIN role for the analytics MCP server.
-- Run as the postgres SUPERUSER (it does CREATE ROLE), NOT through the schema migrations,
-- connected to the database it grants, with the password supplied as psql variable
-- :'ro_pw' (no secret in the repo):
--   psql -v ON_ERROR_STOP=1 -v ro_pw="$PW" -d tracksolid_db -f analytics_ro_role.sql
-- Two more psql variables say what to grant; their defaults are the fleet database's:
--   db        the database (CONNECT)                  default tracksolid_db
--   schemas   the readable schemas, comma-separated   default reporting,tracksolid,tickets,fuel
--   psql -v ro_pw="$PW" -v db=sales_db -v schemas=sales,ops -d sales_db -f analytics_ro_role.sql
-- Grants exactly the read surface: USAGE on each schema, SELECT on all its tables, views,
-- materialized views and foreign tables, EXECUTE on its functions. No
-- INSERT/UPDATE/DELETE, owner of nothing, so analytics_ro can never write or REFRESH.
-- A schema that does not exist stops the script before anything is granted.
-- Idempotent — safe to re-apply (rotates pw); adding a schema later means re-applying
-- it with the longer list (README, "Adding a schema later").
\set ON_ERROR_STOP on

-- Refuse to run without a password rather than fail on a syntax error below.
\if :{?ro_pw}
\else
DO $$ BEGIN RAISE EXCEPTION 'analytics_ro_role.sql: pass the password as psql -v ro_pw=...'; END $$;
\endif
\if :{?db}
\else
\set db tracksolid_db
\endif
\if :{?schemas}
\else
\set schemas reporting,tracksolid,tickets,fuel
\endif

-- The schemas as a table, blanks around the commas ignored; every later
-- statement reads them from here.  A missing schema is named before any grant.
CREATE TEMPORARY TABLE analytics_ro_schemas AS
  SELECT DISTINCT btrim(s) AS name
  FROM unnest(string_to_array(:'schemas', ',')) AS s
  WHERE btrim(s) <> '';
SET analytics_ro.db = :'db';
DO $check$
DECLARE
  missing text;
BEGIN
  IF current_database() <> current_setting('analytics_ro.db') THEN
    RAISE EXCEPTION 'analytics_ro_role.sql: connected to database %, but db is %',
      current_database(), current_setting('analytics_ro.db')
      USING HINT = 'connect to the database the role is for (psql -d, bootstrap_analytics_ro.sh -d)';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM analytics_ro_schemas) THEN
    RAISE EXCEPTION 'analytics_ro_role.sql: no schema given (psql -v schemas=a,b)';
  END IF;
  SELECT string_agg(s.name, ', ' ORDER BY s.name) INTO missing
  FROM analytics_ro_schemas s
  WHERE NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = s.name);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'analytics_ro_role.sql: database % has no schema %', current_database(), missing
      USING HINT = 'pass the schemas to grant as psql -v schemas=a,b (bootstrap_analytics_ro.sh --schemas a,b)';
  END IF;
END $check$;

DO $role$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analytics_ro') THEN
    CREATE ROLE analytics_ro LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END $role$;

ALTER ROLE analytics_ro WITH LOGIN PASSWORD :'ro_pw';

GRANT CONNECT ON DATABASE :"db" TO analytics_ro;

-- Per schema: USAGE, SELECT on everything in it (ALL TABLES covers views,
-- materialized views and foreign tables), EXECUTE on its functions.
SELECT format('GRANT USAGE ON SCHEMA %I TO analytics_ro', name)
  FROM analytics_ro_schemas ORDER BY name \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO analytics_ro', name)
  FROM analytics_ro_schemas ORDER BY name \gexec
SELECT format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO analytics_ro', name)
  FROM analytics_ro_schemas ORDER BY name \gexec

-- Future objects auto-grant. Default privileges apply to objects created BY a given role,
-- so they are keyed to each schema's owner (in tracksolid_db: tracksolid_owner, the
-- migration role, for reporting/tracksolid; postgres for tickets/fuel). Objects that
-- another role creates need the same statement FOR ROLE that role (README, "Adding a
-- schema later").
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO analytics_ro',
              pg_get_userbyid(n.nspowner), s.name)
  FROM analytics_ro_schemas s JOIN pg_namespace n ON n.nspname = s.name
  ORDER BY s.name \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO analytics_ro',
              pg_get_userbyid(n.nspowner), s.name)
  FROM analytics_ro_schemas s JOIN pg_namespace n ON n.nspname = s.name
  ORDER BY s.name \gexec
DROP TABLE analytics_ro_schemas;

-- Extra hardening over dashboard_ro: this role serves ad-hoc HUMAN queries.
ALTER ROLE analytics_ro SET default_transaction_read_only = on;
ALTER ROLE analytics_ro SET statement_timeout = '30s';
ALTER ROLE analytics_ro SET idle_in_transaction_session_timeout = '60s';
-- Shared resources: a sort or hash that spills must not fill the database
-- host's disk with temporary files within the statement timeout.  Only a
-- superuser can set this (an analyst cannot raise it); per-analyst roles
-- made by analytics-mcp-keys -r copy it.
ALTER ROLE analytics_ro SET temp_file_limit = '1GB';
