/*
 * The database connection, driven by the poll() loop without blocking.
 *
 * One connection, opened asynchronously (PQconnectStartParams) so that
 * initialize never waits for it.  One job at a time runs as:
 *
 *	BEGIN READ ONLY
 *	SELECT set_config(...)		statement_timeout, DateStyle (LOCAL)
 *	the job's steps			each through the extended protocol
 *	ROLLBACK			always
 *
 * A job whose BEGIN finds the connection dead (the server restarted while
 * we were idle) reconnects and starts again once; nothing of it had run.
 */
#include <sys/types.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

enum db_state {
	DB_DOWN,		/* no connection */
	DB_CONNECTING,		/* PQconnectPoll in progress */
	DB_IDLE,		/* connected, no job */
	DB_BUSY			/* a statement of the job is running */
};

enum phase {
	PH_BEGIN,
	PH_SETTINGS,
	PH_STEP,
	PH_ROLLBACK
};

static const char sql_begin[] = "BEGIN READ ONLY";
static const char sql_settings[] =
    "SELECT set_config('statement_timeout', $1, true), "
    "set_config('DateStyle', 'ISO, YMD', true), "
    "set_config('IntervalStyle', 'postgres', true)";
static const char sql_rollback[] = "ROLLBACK";

static struct {
	const struct config *cfg;
	PGconn		*conn;
	PGcancel	*cancel;
	enum db_state	 state;
	PostgresPollingStatusType poll;
	uint64_t	 deadline;	/* connect attempt gives up */
	struct job	*job;		/* running or waiting to run */
	enum phase	 phase;
	enum step_next	 next;		/* the running step's callback said */
	char		 timeout[32];	/* statement_timeout in ms */
	char		 appname[sizeof("analytics-mcp/") + CALLER_MAX];
	const char	*keys[6];
	const char	*vals[6];
} db;

static void	db_send(void);
static void	db_job_end(void);

int
db_init(const struct config *cfg)
{
	const char	*dsn;
	int		 i = 0;

	db.cfg = cfg;
	snprintf(db.timeout, sizeof(db.timeout), "%lld", cfg->timeout_s * 1000);
	snprintf(db.appname, sizeof(db.appname), "%s/%s", MCP_NAME,
	    cfg->caller);
	dsn = cfg->dsn != NULL ? cfg->dsn : getenv("DATABASE_URL");
	/*
	 * A default the DSN may override: --check connects blocking, and
	 * only a blocking connect honours it (the loop has its own timer).
	 */
	db.keys[i] = "connect_timeout";
	db.vals[i++] = STR(CONNECT_TIMEOUT_S);
	/* Then dbname: what follows overrides what the DSN says. */
	if (dsn != NULL && *dsn != '\0') {
		db.keys[i] = "dbname";
		db.vals[i++] = dsn;
	}
	db.keys[i] = "application_name";
	db.vals[i++] = db.appname;
	db.keys[i] = "client_encoding";
	db.vals[i++] = "UTF8";
	db.keys[i] = NULL;
	db.vals[i] = NULL;
	return 0;
}

/* Release the connection; the next job connects again. */
static void
db_drop(void)
{
	PQfreeCancel(db.cancel);
	db.cancel = NULL;
	PQfinish(db.conn);
	db.conn = NULL;
	db.state = DB_DOWN;
}

/* The first line of libpq's message, for an isError text. */
static const char *
db_errmsg(void)
{
	static char	 buf[ERRMSG_MAX];
	char		*nl;

	if (db.conn == NULL)
		return "out of memory";
	strlcpy(buf, PQerrorMessage(db.conn), sizeof(buf));
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return buf;
}

/* Fail the waiting job, if any, because no connection could be made. */
static void
db_connect_failed(const char *why)
{
	struct job	*job = db.job;

	db.job = NULL;
	if (job != NULL) {
		err_set(&job->err, 0, "the database is unavailable: %s. "
		    "The next call will try to connect again.", why);
		job->failed = true;
		loop_job_done(job);
	}
}

void
db_connect_start(void)
{
	if (db.state != DB_DOWN)
		return;
	db.conn = PQconnectStartParams(db.keys, db.vals, 1);
	if (db.conn == NULL || PQstatus(db.conn) == CONNECTION_BAD) {
		char	 why[ERRMSG_MAX];

		strlcpy(why, db_errmsg(), sizeof(why));
		db_drop();
		db_connect_failed(why);
		return;
	}
	db.state = DB_CONNECTING;
	db.poll = PGRES_POLLING_WRITING;
	db.deadline = now_ms() + CONNECT_TIMEOUT_MS;
}

int
db_pollfd(short *events)
{
	switch (db.state) {
	case DB_CONNECTING:
		*events = db.poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		return PQsocket(db.conn);
	case DB_BUSY:
		*events = POLLIN;
		return PQsocket(db.conn);
	default:
		return -1;
	}
}

int
db_timeout_ms(void)
{
	uint64_t	 now;

	if (db.state != DB_CONNECTING)
		return -1;
	now = now_ms();
	return db.deadline > now ? (int)(db.deadline - now) : 0;
}

/* Connected: start the waiting job. */
static void
db_connected(void)
{
	db.cancel = PQgetCancel(db.conn);
	db.state = DB_IDLE;
	if (db.job != NULL) {
		db.state = DB_BUSY;
		db.phase = PH_BEGIN;
		db_send();
	}
}

static void
db_connect_poll(short revents)
{
	char	 why[ERRMSG_MAX];

	if (revents == 0) {
		if (now_ms() < db.deadline)
			return;
		db_drop();
		db_connect_failed("connection attempt timed out");
		return;
	}
	db.poll = PQconnectPoll(db.conn);
	if (db.poll == PGRES_POLLING_OK)
		db_connected();
	else if (db.poll == PGRES_POLLING_FAILED) {
		strlcpy(why, db_errmsg(), sizeof(why));
		db_drop();
		db_connect_failed(why);
	}
}

/*
 * Record a PostgreSQL error on the job as the isError text: message,
 * SQLSTATE, detail, hint and, for the user's statement, the position.
 */
static void
db_job_error(const PGresult *res)
{
	struct job	*job = db.job;
	const char	*state, *pos;
	size_t		 off;

	if (job->failed)
		return;		/* keep the first error */
	job->failed = true;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL) {
		strlcpy(job->sqlstate_buf, state, sizeof(job->sqlstate_buf));
		job->sqlstate = job->sqlstate_buf;
	}
	pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	off = 0;
	if (pos != NULL && db.phase == PH_STEP &&
	    job->cur == job->user_step && job->sql != NULL) {
		const char	*e;
		long long	 p;

		p = strtonum(pos, 1, INT32_MAX, &e);
		if (e == NULL && p > (long long)job->user_prefix)
			off = (size_t)(p - (long long)job->user_prefix);
	}
	tool_pg_error(job, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
	    state, PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
	    PQresultErrorField(res, PG_DIAG_MESSAGE_HINT), off);
}

/* The connection broke under a job: fail it, or retry a fresh one. */
static void
db_lost(void)
{
	struct job	*job = db.job;
	char		 why[ERRMSG_MAX];

	strlcpy(why, db_errmsg(), sizeof(why));
	db_drop();
	if (db.phase == PH_BEGIN && !job->retried && !job->cancelled) {
		/* Nothing of the job ran: the link had died while idle. */
		job->retried = true;
		job->failed = false;
		job->sqlstate = NULL;
		db_connect_start();
		return;
	}
	if (!job->failed && !job->cancelled) {
		job->failed = true;
		err_set(&job->err, 0, "the connection to the database was "
		    "lost (%s). The next call will reconnect.", why);
	}
	db.job = NULL;
	loop_job_done(job);
}

/* Send the statement of the current phase; on failure the link is gone. */
static void
db_send(void)
{
	struct job	*job = db.job;
	struct step	*st;
	const char	*params[STEP_PARAMS_MAX];
	int		 ok, i;

	db.next = STEP_NEXT;
	switch (db.phase) {
	case PH_BEGIN:
		ok = PQsendQuery(db.conn, sql_begin);
		break;
	case PH_SETTINGS:
		params[0] = db.timeout;
		ok = PQsendQueryParams(db.conn, sql_settings, 1, NULL,
		    params, NULL, NULL, 0);
		break;
	case PH_STEP:
		st = &job->steps[job->cur];
		for (i = 0; i < st->nparams; i++)
			params[i] = st->params[i];
		/* The extended protocol refuses a second statement. */
		ok = PQsendQueryParams(db.conn, st->sql, st->nparams, NULL,
		    params, NULL, NULL, 0);
		break;
	default:
		ok = PQsendQuery(db.conn, sql_rollback);
		break;
	}
	if (!ok)
		db_lost();
}

/* One statement finished; choose what runs next. */
static void
db_advance(enum step_next next)
{
	struct job	*job = db.job;

	if (db.phase == PH_ROLLBACK) {
		db_job_end();
		return;
	}
	if (next == STEP_FAIL && !job->failed) {
		job->failed = true;
		err_set(&job->err, 0, "internal error in %s", job->tool);
	}
	if (job->failed || job->cancelled)
		db.phase = PH_ROLLBACK;
	else if (db.phase == PH_BEGIN)
		db.phase = PH_SETTINGS;
	else if (db.phase == PH_SETTINGS) {
		db.phase = PH_STEP;
		job->cur = 0;
	} else if (next == STEP_NEXT && ++job->cur >= job->nsteps)
		db.phase = PH_ROLLBACK;
	if (db.phase == PH_STEP && job->cur >= job->nsteps)
		db.phase = PH_ROLLBACK;
	db_send();
}

/* The job is over (rolled back); hand it to the loop. */
static void
db_job_end(void)
{
	struct job	*job = db.job;

	db.job = NULL;
	db.state = DB_IDLE;
	loop_job_done(job);
}

/*
 * Read every result that has arrived for the running statement; the
 * statement is over when PQgetResult() returns NULL, which may take
 * several reads.
 */
static void
db_results(short revents)
{
	struct job	*job = db.job;
	PGresult	*res;
	step_cb		 cb;

	if (revents == 0)
		return;
	if (!PQconsumeInput(db.conn)) {
		db_lost();
		return;
	}
	for (;;) {
		if (PQisBusy(db.conn))
			return;
		if ((res = PQgetResult(db.conn)) == NULL)
			break;
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			cb = db.phase == PH_STEP ?
			    job->steps[job->cur].cb : NULL;
			if (cb != NULL && !job->failed)
				db.next = cb(job, db.conn, res);
			break;
		case PGRES_COPY_OUT:
		case PGRES_COPY_IN:
		case PGRES_COPY_BOTH:
			/* Never ours to run; drop the link rather than drain. */
			PQclear(res);
			err_set(&job->err, 0, "COPY is not allowed");
			job->failed = true;
			db_lost();
			return;
		default:
			db_job_error(res);
			break;
		}
		PQclear(res);
	}
	if (PQstatus(db.conn) == CONNECTION_BAD) {
		db_lost();
		return;
	}
	db_advance(db.next);
}

void
db_service(short revents)
{
	if (db.state == DB_CONNECTING)
		db_connect_poll(revents);
	else if (db.state == DB_BUSY)
		db_results(revents);
}

void
db_run(struct job *job)
{
	db.job = job;
	job->started_ms = now_ms();
	switch (db.state) {
	case DB_DOWN:
		db_connect_start();
		break;
	case DB_IDLE:
		db.state = DB_BUSY;
		db.phase = PH_BEGIN;
		db_send();
		break;
	default:
		break;		/* connecting: starts when connected */
	}
}

bool
db_busy(void)
{
	return db.job != NULL;
}

bool
db_cancel_if(const char *id, size_t idlen)
{
	struct job	*job = db.job;
	char		 buf[256];

	if (job == NULL || job->req->id == NULL ||
	    !rpc_id_equal(id, idlen, job->req->id, job->req->idlen))
		return false;
	job->cancelled = true;
	if (db.state == DB_BUSY && db.cancel != NULL)
		(void)PQcancel(db.cancel, buf, sizeof(buf));
	else if (db.state != DB_BUSY) {
		/* Still waiting for a connection: nothing ran. */
		db.job = NULL;
		loop_job_done(job);
	}
	return true;
}

void
db_close(void)
{
	struct job	*job = db.job;
	char		 buf[256];

	if (db.state == DB_BUSY && db.cancel != NULL)
		(void)PQcancel(db.cancel, buf, sizeof(buf));
	if (db.conn != NULL)
		db_drop();
	if (job != NULL) {
		job->cancelled = true;
		db.job = NULL;
		loop_job_done(job);
	}
}

/*
 * --check: connect (blocking), print what an operator needs to know, and
 * return the exit status.  The DSN and any password are never printed.
 */
int
db_check(void)
{
	static const char sql[] =
	    "SELECT current_setting('server_version'), current_user, "
	    "current_setting('default_transaction_read_only'), "
	    "current_setting('application_name'), "
	    "coalesce((SELECT string_agg(n.nspname, ',' ORDER BY n.nspname) "
	    "FROM pg_namespace n WHERE n.nspname = ANY($1::text[]) "
	    "AND has_schema_privilege(n.oid, 'USAGE')), '')";
	PGconn		*conn;
	PGresult	*res = NULL;
	const char	*params[1];
	int		 rc = 1;

	conn = PQconnectdbParams(db.keys, db.vals, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		printf("database: unavailable: %s", conn != NULL ?
		    PQerrorMessage(conn) : "out of memory\n");
		goto out;
	}
	params[0] = db.cfg->schemas_array;
	res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("database: query failed: %s",
		    PQresultErrorMessage(res));
		goto out;
	}
	printf("server_version: %s\n", PQgetvalue(res, 0, 0));
	printf("role: %s\n", PQgetvalue(res, 0, 1));
	printf("default_transaction_read_only: %s\n", PQgetvalue(res, 0, 2));
	printf("caller: %s (%s)\n", db.cfg->caller, db.cfg->caller_source);
	printf("application_name: %s\n", PQgetvalue(res, 0, 3));
	printf("readable_schemas: %s\n", PQgetvalue(res, 0, 4));
	rc = 0;
	if (strcmp(PQgetvalue(res, 0, 2), "on") != 0)
		printf("warning: the role is not read-only by default "
		    "(ALTER ROLE ... SET default_transaction_read_only = on)\n");
out:
	PQclear(res);
	PQfinish(conn);
	return rc;
}
