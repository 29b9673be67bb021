/*
 * The transaction script every job runs, statement by statement:
 *
 *	BEGIN READ ONLY
 *	SELECT oid FROM pg_type ...	PostGIS's types, once per connection
 *	SELECT set_config(...)		statement_timeout, DateStyle,
 *					application_name (all LOCAL)
 *	the job's steps			each through the extended protocol
 *	ROLLBACK; SELECT count(*) ...;	always; then the advisory locks the
 *	SELECT pg_advisory_unlock_all(); call left behind, counted and
 *	DEALLOCATE ALL			released, and its prepared statements
 *
 * Nothing outlives the transaction but what its last message cleans up,
 * so a pooler in transaction mode (PgBouncer) may hand the server
 * connection to another client between two calls, or between two
 * statements outside a transaction: every setting is LOCAL and carried
 * by each transaction, application_name included (a pooler's own
 * tracking of it is undone by anyone's RESET ALL), and the clean-up
 * travels with the ROLLBACK in one simple-protocol message, which a
 * pooler never splits: it runs on the backend that ran the call.  The
 * PostGIS types are looked up once per connection: every backend behind
 * it serves the same database (a pooler's pool, a primary or its
 * physical replica), where they have the same OIDs.
 *
 * BEGIN, the settings and the job's first statements go out together, in
 * one round trip (txn_opening): the rest waits for the results before it.
 * Which statement comes next and how it is sent; when and on which
 * connection is db.c's.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

static const char sql_begin[] = "BEGIN READ ONLY";
/* Extension types have an OID of their own in each database. */
static const char sql_types[] =
    "SELECT (SELECT t.oid FROM pg_type t JOIN pg_extension e "
    "ON e.extnamespace = t.typnamespace AND e.extname = 'postgis' "
    "WHERE t.typname = 'geometry'), "
    "(SELECT t.oid FROM pg_type t JOIN pg_extension e "
    "ON e.extnamespace = t.typnamespace AND e.extname = 'postgis' "
    "WHERE t.typname = 'geography')";

/* This connection's types are known (txn_connected() forgets them). */
static bool types_known;

void
txn_connected(void)
{
	types_known = false;
	pgv_set_geo_oids(0, 0);
	typname_forget();
}
static const char sql_settings[] =
    "SELECT set_config('statement_timeout', $1, true), "
    "set_config('DateStyle', 'ISO, YMD', true), "
    "set_config('IntervalStyle', 'postgres', true), "
    "set_config('application_name', $2, true)";
/*
 * The ROLLBACK undoes settings, cursors, temporary objects and LISTEN;
 * after it every advisory lock still held is session-level, and a
 * prepared statement made by a function survives too.  DISCARD ALL would
 * do the same but cannot share the message (nor run in a transaction).
 */
static const char sql_end[] =
    "ROLLBACK; "
    "SELECT count(*) AS leftover_locks FROM pg_locks "
    "WHERE pid = pg_backend_pid() AND locktype = 'advisory'; "
    "SELECT pg_advisory_unlock_all(); "
    "DEALLOCATE ALL";

int
txn_send(void *pgconn, struct job *job, enum phase phase, int step,
    const char *timeout_ms)
{
	PGconn		*conn = pgconn;
	struct step	*st;
	const char	*params[STEP_PARAMS_MAX];
	int		 ok, i;

	switch (phase) {
	case PH_BEGIN:
		/* The extended protocol: a pipeline allows nothing else. */
		ok = PQsendQueryParams(conn, sql_begin, 0, NULL, NULL, NULL,
		    NULL, 0);
		break;
	case PH_TYPES:
		ok = PQsendQueryParams(conn, sql_types, 0, NULL, NULL, NULL,
		    NULL, 0);
		break;
	case PH_SETTINGS:
		params[0] = timeout_ms;
		params[1] = conn_appname();
		ok = PQsendQueryParams(conn, sql_settings, 2, NULL, params,
		    NULL, NULL, 0);
		break;
	case PH_STEP:
		st = &job->steps[step];
		for (i = 0; i < st->nparams; i++)
			params[i] = st->params[i];
		/* The extended protocol refuses a second statement. */
		ok = PQsendQueryParams(conn, st->sql, st->nparams, NULL, params,
		    NULL, NULL, 0);
		break;
	default:
		/* The simple protocol: several statements, one message. */
		ok = PQsendQuery(conn, sql_end);
		break;
	}
	return ok ? 0 : -1;
}

int
txn_opening(const struct job *job, struct txn_item *plan)
{
	int	 n = 0, i;

	plan[n].phase = PH_BEGIN;
	plan[n++].step = 0;
	if (!types_known) {
		plan[n].phase = PH_TYPES;
		plan[n++].step = 0;
	}
	plan[n].phase = PH_SETTINGS;
	plan[n++].step = 0;
	for (i = 0; i < job->nsteps && (i == 0 || job->steps[i].ahead); i++) {
		plan[n].phase = PH_STEP;
		plan[n++].step = i;
	}
	return n;
}

enum phase
txn_next(struct job *job, enum phase phase, enum step_next next)
{
	if (phase >= PH_ROLLBACK)
		return PH_DONE;
	if (job->failed || job->cancelled || job->timed_out)
		return PH_ROLLBACK;
	if (phase == PH_BEGIN)
		return types_known ? PH_SETTINGS : PH_TYPES;
	if (phase == PH_TYPES)
		return PH_SETTINGS;
	if (phase == PH_SETTINGS)
		job->cur = 0;
	else if (next == STEP_NEXT)
		job->cur++;
	else if (next == STEP_SKIP)
		job->cur += 2;
	return job->cur < job->nsteps ? PH_STEP : PH_ROLLBACK;
}

void
txn_result(struct job *job, enum phase phase, const void *pgresult)
{
	const PGresult	*res = pgresult;

	if (phase == PH_ROLLBACK && PQntuples(res) == 1 &&
	    PQnfields(res) == 1 &&
	    strcmp(PQfname(res, 0), "leftover_locks") == 0)
		job->leftover_locks = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (phase == PH_TYPES && PQntuples(res) == 1 &&
	    PQnfields(res) == 2) {
		/* NULL (no PostGIS) reads as 0: no GeoJSON then. */
		pgv_set_geo_oids(
		    (unsigned int)strtoul(PQgetvalue(res, 0, 0), NULL, 10),
		    (unsigned int)strtoul(PQgetvalue(res, 0, 1), NULL, 10));
		types_known = true;
	}
}
