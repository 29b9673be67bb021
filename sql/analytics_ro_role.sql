-- analytics_ro_role.sql — dedicated read-only LOGIN role for the analytics MCP server.
-- Run as the postgres SUPERUSER (it does CREATE ROLE), NOT through the schema migrations,
-- with the password supplied as psql variable :'ro_pw' (no secret in the repo):
--   psql -v ON_ERROR_STOP=1 -v ro_pw="$PW" -d tracksolid_db -f analytics_ro_role.sql
-- Grants exactly the read surface: SELECT on reporting.* + tracksolid.* + tickets.* +
-- fuel.*, the v_trips matview, and EXECUTE on reporting/tickets/fuel functions. No
-- INSERT/UPDATE/DELETE, not the matview owner, so analytics_ro can never write or
-- REFRESH. Idempotent — safe to re-apply (rotates pw).
\set ON_ERROR_STOP on

-- Refuse to run without a password rather than fail on a syntax error below.
\if :{?ro_pw}
\else
DO $$ BEGIN RAISE EXCEPTION 'analytics_ro_role.sql: pass the password as psql -v ro_pw=...'; END $$;
\endif

DO $role$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analytics_ro') THEN
    CREATE ROLE analytics_ro LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END $role$;

ALTER ROLE analytics_ro WITH LOGIN PASSWORD :'ro_pw';

GRANT CONNECT ON DATABASE tracksolid_db TO analytics_ro;
GRANT USAGE ON SCHEMA reporting, tracksolid, tickets, fuel TO analytics_ro;

GRANT SELECT ON ALL TABLES IN SCHEMA reporting  TO analytics_ro;  -- tables + views
GRANT SELECT ON ALL TABLES IN SCHEMA tracksolid TO analytics_ro;  -- tables + views
GRANT SELECT ON ALL TABLES IN SCHEMA tickets    TO analytics_ro;  -- INC/CRQ tickets
GRANT SELECT ON ALL TABLES IN SCHEMA fuel       TO analytics_ro;  -- fuel
GRANT SELECT ON reporting.v_trips TO analytics_ro;                 -- MATERIALIZED VIEW

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reporting TO analytics_ro;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tickets   TO analytics_ro;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA fuel      TO analytics_ro;

-- Future objects auto-grant. reporting/tracksolid are owned by the migration role
-- (tracksolid_owner); tickets/fuel are owned by postgres, so their default-privilege
-- grants MUST be keyed to postgres or new objects won't be readable. (The original
-- note said matviews are never covered by ALL TABLES; on PostgreSQL 15 both ALL TABLES
-- and these defaults do cover them. The explicit v_trips GRANT above is kept anyway.)
ALTER DEFAULT PRIVILEGES FOR ROLE tracksolid_owner IN SCHEMA reporting  GRANT SELECT  ON TABLES    TO analytics_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE tracksolid_owner IN SCHEMA tracksolid GRANT SELECT  ON TABLES    TO analytics_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE tracksolid_owner IN SCHEMA reporting  GRANT EXECUTE ON FUNCTIONS TO analytics_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres         IN SCHEMA tickets    GRANT SELECT  ON TABLES    TO analytics_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres         IN SCHEMA fuel       GRANT SELECT  ON TABLES    TO analytics_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres         IN SCHEMA tickets    GRANT EXECUTE ON FUNCTIONS TO analytics_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres         IN SCHEMA fuel       GRANT EXECUTE ON FUNCTIONS TO analytics_ro;

-- Extra hardening over dashboard_ro: this role serves ad-hoc HUMAN queries.
ALTER ROLE analytics_ro SET default_transaction_read_only = on;
ALTER ROLE analytics_ro SET statement_timeout = '30s';
ALTER ROLE analytics_ro SET idle_in_transaction_session_timeout = '60s';
-- Shared resources: a sort or hash that spills must not fill the database
-- host's disk with temporary files within the statement timeout.  Only a
-- superuser can set this (an analyst cannot raise it); per-analyst roles
-- made by analytics-mcp-keys -r copy it.
ALTER ROLE analytics_ro SET temp_file_limit = '1GB';
