/*
 * The one database connection: its parameters, an asynchronous connect
 * that never blocks the loop, cancel requests that never block either,
 * and the blocking --check.  What runs on the connection is db.c's.
 *
 * The parameters are libpq keywords in order; a later one overrides an
 * earlier one and the DSN (as "dbname", expanded by libpq) overrides the
 * defaults before it but not application_name, client_encoding and
 * --db-user after it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "extern.h"

static struct {
	const struct config *cfg;
	PGconn		*pg;
	PGcancel	*cancel;
	PostgresPollingStatusType poll;
	uint64_t	 deadline;	/* the connect attempt gives up */
	uint64_t	 standby_at;	/* on a fallback primary: retry then */
	unsigned int	 fallbacks;	/* connections in a row that fell back */
	pid_t		 canceller;	/* the cancel helper while it lives, or 0 */
	char		 appname[sizeof("analytics-mcp/") + CALLER_MAX];
	const char	*keys[12];
	const char	*vals[12];
} conn;

int
conn_init(const struct config *cfg)
{
	const char	*dsn;
	int		 i = 0;

	conn.cfg = cfg;
	snprintf(conn.appname, sizeof(conn.appname), "%s/%s", MCP_NAME,
	    cfg->caller);
	dsn = cfg->dsn != NULL ? cfg->dsn : getenv("DATABASE_URL");
	/*
	 * Defaults the DSN may override.  connect_timeout: --check connects
	 * blocking, and only a blocking connect honours it (the loop has its
	 * own timer).  Keepalives and tcp_user_timeout: a dead or frozen
	 * link is noticed by the kernel instead of waited on for ever.
	 */
	conn.keys[i] = "connect_timeout";
	conn.vals[i++] = STR(CONNECT_TIMEOUT_S);
	conn.keys[i] = "keepalives";
	conn.vals[i++] = "1";
	conn.keys[i] = "keepalives_idle";
	conn.vals[i++] = STR(KEEPALIVE_IDLE_S);
	conn.keys[i] = "keepalives_interval";
	conn.vals[i++] = STR(KEEPALIVE_INTERVAL_S);
	conn.keys[i] = "keepalives_count";
	conn.vals[i++] = STR(KEEPALIVE_COUNT);
	conn.keys[i] = "tcp_user_timeout";
	conn.vals[i++] = STR(TCP_USER_TIMEOUT_MS);
	/* Then dbname: what follows overrides what the DSN says. */
	if (dsn != NULL && *dsn != '\0') {
		conn.keys[i] = "dbname";
		conn.vals[i++] = dsn;
	}
	if (cfg->db_user != NULL) {
		conn.keys[i] = "user";
		conn.vals[i++] = cfg->db_user;
	}
	conn.keys[i] = "application_name";
	conn.vals[i++] = conn.appname;
	conn.keys[i] = "client_encoding";
	conn.vals[i++] = "UTF8";
	conn.keys[i] = NULL;
	conn.vals[i] = NULL;
	return 0;
}

const char *
conn_appname(void)
{
	return conn.appname;
}

void *
conn_pg(void)
{
	return conn.pg;
}

/*
 * Close the connection.  A cancel still on its way can reach only the old
 * backend: nobody waits for it any more (conn_reap() collects it).
 */
void
conn_drop(void)
{
	conn.canceller = 0;
	conn.standby_at = 0;
	PQfreeCancel(conn.cancel);
	conn.cancel = NULL;
	PQfinish(conn.pg);
	conn.pg = NULL;
}

const char *
conn_errmsg(void)
{
	static char	 buf[ERRMSG_MAX];
	char		*nl;

	if (conn.pg == NULL)
		return "out of memory";
	secret_scrub(PQerrorMessage(conn.pg), buf, sizeof(buf));
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return buf;
}

int
conn_start(char *why, size_t whysz)
{
	conn.pg = PQconnectStartParams(conn.keys, conn.vals, 1);
	if (conn.pg == NULL || PQstatus(conn.pg) == CONNECTION_BAD ||
	    PQsetnonblocking(conn.pg, 1) == -1) {
		strlcpy(why, conn_errmsg(), whysz);
		conn_drop();
		return -1;
	}
	conn.poll = PGRES_POLLING_WRITING;
	conn.deadline = now_ms() + CONNECT_TIMEOUT_MS;
	return 0;
}

int
conn_connect_fd(short *events, uint64_t *deadline)
{
	*events = conn.poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	*deadline = conn.deadline;
	return PQsocket(conn.pg);
}

/*
 * Whether the DSN asks for a standby first and got a primary: libpq 14+
 * fell back because no standby answered (PostgreSQL 14+ reports
 * in_hot_standby; without it, nothing is known and nothing is retried).
 */
static bool
conn_on_fallback(void)
{
	PQconninfoOption	*opts, *o;
	const char		*hot;
	bool			 prefer = false;

	hot = PQparameterStatus(conn.pg, "in_hot_standby");
	if (hot == NULL || strcmp(hot, "off") != 0)
		return false;
	if ((opts = PQconninfo(conn.pg)) == NULL)
		return false;
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "target_session_attrs") == 0 &&
		    o->val != NULL && strcmp(o->val, "prefer-standby") == 0)
			prefer = true;
	PQconninfoFree(opts);
	return prefer;
}

bool
conn_standby_due(void)
{
	return conn.standby_at != 0 && now_ms() >= conn.standby_at;
}

int
conn_poll(short revents, char *why, size_t whysz)
{
	uint64_t	 wait;

	if (revents == 0) {
		if (now_ms() < conn.deadline)
			return 0;
		strlcpy(why, "connection attempt timed out", whysz);
		conn_drop();
		return -1;
	}
	conn.poll = PQconnectPoll(conn.pg);
	if (conn.poll == PGRES_POLLING_OK) {
		conn.cancel = PQgetCancel(conn.pg);
		/*
		 * A standby that stays away may cost each retry a connect
		 * timeout: wait twice as long after each, up to 16 times.
		 */
		if (conn_on_fallback()) {
			wait = (uint64_t)STANDBY_RETRY_S * 1000 <<
			    (conn.fallbacks < 4 ? conn.fallbacks : 4);
			conn.standby_at = now_ms() + wait;
			conn.fallbacks++;
		} else
			conn.fallbacks = 0;
		return 1;
	}
	if (conn.poll == PGRES_POLLING_FAILED) {
		strlcpy(why, conn_errmsg(), whysz);
		conn_drop();
		return -1;
	}
	return 0;
}

/*
 * Ask the server to cancel the running statement without waiting: a
 * child process sends the request (PQcancel blocks on a frozen link) and
 * is killed by its own alarm if it cannot.  It exits 0 once the server
 * has taken the request.  One is enough while one is on its way.
 */
void
conn_cancel(void)
{
	char	 buf[256];
	pid_t	 pid;

	if (conn.cancel == NULL || conn.canceller != 0)
		return;
	switch ((pid = fork())) {
	case -1:
		audit_notice(conn.cfg, "ERROR", "the cancel helper could not "
		    "be started; the statement runs on to its timeout");
		return;
	case 0:
		/* Hold none of the session's descriptors: not the client's
		 * pipes, which ssh waits on, nor the database socket. */
		closefrom(0);
		alarm(CANCEL_HELPER_S);
		_exit(PQcancel(conn.cancel, buf, sizeof(buf)) ? 0 : 1);
	default:
		conn.canceller = pid;
		return;
	}
}

bool
conn_cancel_pending(void)
{
	return conn.canceller != 0;
}

int
conn_cancel_settled(void)
{
	int	 status;
	pid_t	 pid;

	if (conn.canceller == 0)
		return 1;
	if ((pid = waitpid(conn.canceller, &status, WNOHANG)) == 0)
		return 0;
	conn.canceller = 0;
	return pid != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
	    1 : -1;
}

void
conn_reap(void)
{
	if (conn.canceller == 0)
		while (waitpid(-1, NULL, WNOHANG) > 0)
			continue;
}

/*
 * True if libpq's text says it ran out of memory receiving a result: a
 * value too large for the --max-memory cap.  A message too large to
 * buffer makes libpq report lost synchronization and drop the link.
 */
bool
conn_oom(const char *msg)
{
	return msg != NULL && (strstr(msg, "out of memory") != NULL ||
	    strstr(msg, "lost synchronization with server") != NULL);
}

/* --check's notices: logged escaped, never raw on stderr. */
static void
conn_check_notice(void *arg, const PGresult *res)
{
	const char	*msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	char		 buf[ERRMSG_MAX];

	(void)arg;
	secret_scrub(msg != NULL ? msg : "", buf, sizeof(buf));
	audit_notice(conn.cfg, "NOTICE", buf);
}

/*
 * What makes --check fail, $1 being the --schemas list as a text[]: a
 * superuser; CREATEDB or CREATEROLE; INSERT, UPDATE, DELETE or TRUNCATE
 * (or a column's INSERT or UPDATE) on any relation of a schema the role
 * can use, views and sequences included; CREATE on a schema it can use,
 * or on the database (a new schema outlives the session); a --schemas
 * name that does not exist or that the role cannot use.  TEMP on the
 * database is allowed: a temporary object dies with its session, and
 * every call runs in a read-only transaction, which cannot create one,
 * and is rolled back.  The writable relations: the count and the first
 * five names.
 */
static const char check_problems_sql[] =
    "WITH w AS (SELECT format('%I.%I', n.nspname, c.relname) AS name "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') "
    "AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' "
    "AND has_schema_privilege(n.oid, 'USAGE') "
    "AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') "
    "OR has_any_column_privilege(c.oid, 'INSERT, UPDATE'))), "
    "s AS (SELECT unnest($1::text[]) AS name) "
    "SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, "
    "has_database_privilege(current_database(), 'CREATE'), "
    "current_database(), "
    "(SELECT count(*) FROM w), "
    "coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM "
    "(SELECT name FROM w ORDER BY name LIMIT 5) AS first), ''), "
    "coalesce((SELECT string_agg(n.nspname, ',' ORDER BY n.nspname) "
    "FROM pg_namespace n WHERE n.nspname <> 'information_schema' "
    "AND n.nspname !~ '^pg_' AND has_schema_privilege(n.oid, 'USAGE') "
    "AND has_schema_privilege(n.oid, 'CREATE')), ''), "
    "coalesce((SELECT string_agg(s.name, ',' ORDER BY s.name) FROM s "
    "WHERE NOT EXISTS (SELECT 1 FROM pg_namespace n "
    "WHERE n.nspname = s.name)), ''), "
    "coalesce((SELECT string_agg(s.name, ',' ORDER BY s.name) FROM s "
    "JOIN pg_namespace n ON n.nspname = s.name "
    "WHERE NOT has_schema_privilege(n.oid, 'USAGE')), '') "
    "FROM pg_roles r WHERE r.rolname = current_user";

/* Print one reason --check fails; returns 1 to be counted. */
static int __attribute__((format(printf, 1, 2)))
check_problem(const char *fmt, ...)
{
	va_list	 ap;

	fputs("problem: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return 1;
}

/*
 * Run check_problems_sql and print each reason --check fails; returns
 * their number, or -1 when the query failed (printed too).
 */
static int
check_problems(PGconn *pg, const char **params)
{
	PGresult	*res;
	char		 msg[ERRMSG_MAX];
	int		 n = 0;

	res = PQexecParams(pg, check_problems_sql, 1, NULL, params, NULL,
	    NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		secret_scrub(PQresultStatus(res) == PGRES_TUPLES_OK ?
		    "the role is not in pg_roles\n" :
		    PQresultErrorMessage(res), msg, sizeof(msg));
		printf("database: privilege check failed: %s", msg);
		PQclear(res);
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		n += check_problem("the role is a superuser: no privilege "
		    "stops its writes (use a role like analytics_ro)");
	else {
		if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
			n += check_problem("the role can create databases "
			    "(CREATEDB)");
		if (strcmp(PQgetvalue(res, 0, 2), "t") == 0)
			n += check_problem("the role can create roles "
			    "(CREATEROLE)");
		if (strcmp(PQgetvalue(res, 0, 3), "t") == 0)
			n += check_problem("the role can create schemas in "
			    "database %s (CREATE)", PQgetvalue(res, 0, 4));
		if (strcmp(PQgetvalue(res, 0, 5), "0") != 0)
			n += check_problem("the role can write %s relation(s) "
			    "(INSERT, UPDATE, DELETE or TRUNCATE), first %s",
			    PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 6));
		if (*PQgetvalue(res, 0, 7) != '\0')
			n += check_problem("the role can create objects in "
			    "schema(s) %s (CREATE)", PQgetvalue(res, 0, 7));
	}
	if (*PQgetvalue(res, 0, 8) != '\0')
		n += check_problem("--schemas names schema(s) that do not "
		    "exist: %s", PQgetvalue(res, 0, 8));
	if (*PQgetvalue(res, 0, 9) != '\0')
		n += check_problem("--schemas names schema(s) the role cannot "
		    "read (no USAGE): %s", PQgetvalue(res, 0, 9));
	PQclear(res);
	return n;
}

/*
 * --check: connect (blocking), print what an operator needs to know, and
 * return the exit status: 0, or 1 when the database cannot be reached or
 * check_problems() finds a reason (each printed as a "problem:" line).
 * The DSN and any password are never printed.
 */
int
conn_check(void)
{
	static const char sql[] =
	    "SELECT current_setting('server_version'), current_user, "
	    "current_setting('default_transaction_read_only'), "
	    "current_setting('application_name'), "
	    "coalesce((SELECT string_agg(n.nspname, ',' ORDER BY n.nspname) "
	    "FROM pg_namespace n WHERE n.nspname = ANY($1::text[]) "
	    "AND has_schema_privilege(n.oid, 'USAGE')), '')";
	PGconn		*pg;
	PGresult	*res = NULL;
	const char	*params[1];
	char		 msg[ERRMSG_MAX];
	int		 rc = 1, problems;

	pg = PQconnectdbParams(conn.keys, conn.vals, 1);
	if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
		secret_scrub(pg != NULL ? PQerrorMessage(pg) :
		    "out of memory\n", msg, sizeof(msg));
		printf("database: unavailable: %s", msg);
		goto out;
	}
	PQsetNoticeReceiver(pg, conn_check_notice, NULL);
	params[0] = conn.cfg->schemas_array;
	res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		secret_scrub(PQresultErrorMessage(res), msg, sizeof(msg));
		printf("database: query failed: %s", msg);
		goto out;
	}
	printf("server_version: %s\n", PQgetvalue(res, 0, 0));
	printf("role: %s\n", PQgetvalue(res, 0, 1));
	printf("default_transaction_read_only: %s\n", PQgetvalue(res, 0, 2));
	printf("caller: %s (%s)\n", conn.cfg->caller, conn.cfg->caller_source);
	printf("application_name: %s\n", PQgetvalue(res, 0, 3));
	printf("readable_schemas: %s\n", PQgetvalue(res, 0, 4));
	if (strcmp(PQgetvalue(res, 0, 2), "on") != 0)
		printf("warning: the role is not read-only by default "
		    "(ALTER ROLE ... SET default_transaction_read_only = on)\n");
	if ((problems = check_problems(pg, params)) == 0)
		rc = 0;
	else if (problems > 0)
		fprintf(stderr, "%s: --check failed: %d problem(s), see "
		    "standard output\n", MCP_NAME, problems);
out:
	PQclear(res);
	PQfinish(pg);
	return rc;
}
