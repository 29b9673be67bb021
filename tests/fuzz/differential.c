/*
 * The guard against PostgreSQL itself, over a corpus: every input the
 * guard accepts must be one cursor query for PostgreSQL, or an error of
 * its parser or planner, and must never plan a banned function.
 *
 * usage: guard_differential PGDIR DIR|FILE|-z LIST ...
 *
 * -z LIST: a file of inputs each ended by a NUL byte (guard_test -p).
 *
 * PGDIR is a cluster made by tests/pg.sh (its Unix socket, the fixture,
 * the role analytics_ro).  Each input that a client could send (valid
 * UTF-8 without a NUL byte: the sql argument is a JSON string, and the
 * strict reader lets nothing else through) and that
 * guard_check() accepts is sent as rowset.c sends it, as analytics_ro, in
 * a READ ONLY transaction that is rolled back:
 *
 *     DECLARE c NO SCROLL CURSOR FOR <statement>\n
 *
 * through the extended protocol, which takes exactly one statement, with
 * debug_print_plan on so that the server hands back the plan it made.
 * The input passes when:
 *  - PostgreSQL refuses it with a syntax or semantic error (SQLSTATE
 *    class 42, 22, 0A, 54 or 3F) that is not one the cursor or the
 *    read-only transaction raises for a write: several statements, a
 *    data-modifying WITH, SELECT INTO, a read-only violation; or
 *  - the cursor is declared and its plan is a SELECT (commandType 1) with
 *    no LockRows or ModifyTable node, and no function OID in it (every
 *    field ending in funcid or fnoid: funcid, opfuncid, hashfuncid,
 *    negfuncid, aggfnoid, winfnoid; every call, operator,
 *    aggregate and window function, after views are expanded and SQL
 *    functions inlined) names a function whose name the guard refuses
 *    in a call (banned_function(), the guard's own table).
 * Why the plan and not a trap: a built-in such as pg_advisory_lock
 * cannot be replaced by a trap function (pg_catalog comes first and a
 * qualified name reaches it anyway), and neither a statement log nor
 * track_functions sees a call of a built-in.  The plan names every
 * function PostgreSQL would call by OID, however the query spelt it.
 * What it does not see is what runs inside a function the database owner
 * wrote (a PL/pgSQL body), type input and output functions, domain checks
 * and triggers: none of those is the analyst's text.  The cursor is not
 * fetched: the plan is what would run.
 *
 * Prints one "ok" or "not ok" line for the corpus, "#" lines for each
 * failing input and a count of the outcomes; exits 1 on a failure.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define DIFF_TIMEOUT	"5s"
#define DIFF_PREFIX	"DECLARE c NO SCROLL CURSOR FOR "

static PGconn	*conn;
static char	*plan;		/* the notices of the running statement */
static size_t	 planlen;
static unsigned int *banned;	/* OIDs of the functions the guard bans */
static int	 nbanned;
static regex_t	 oid_re;
static size_t	 n_inputs, n_unsendable, n_rejected, n_planned, n_refused;
static size_t	 n_failed;
static FILE	*notes;
/* How often each SQLSTATE refused an accepted input, for the summary. */
static struct {
	char	 state[6];
	size_t	 n;
} refusals[32];

/* Keep every notice (the plan comes as one at level LOG). */
static void
on_notice(void *arg, const PGresult *res)
{
	const char	*msg = PQresultErrorMessage(res);
	size_t		 n = strlen(msg);
	char		*p;

	(void)arg;
	if ((p = realloc(plan, planlen + n + 1)) == NULL)
		return;
	plan = p;
	memcpy(plan + planlen, msg, n + 1);
	planlen += n;
}

static void
die(const char *what)
{
	fprintf(stderr, "guard_differential: %s: %s", what,
	    conn != NULL ? PQerrorMessage(conn) : "\n");
	printf("not ok - guard differential: %s\n", what);
	exit(1);
}

static void
exec_ok(const char *sql)
{
	PGresult	*res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die(sql);
	PQclear(res);
}

/* The OIDs of every function in pg_proc whose name the guard refuses. */
static void
load_banned(void)
{
	PGresult	*res;
	char		 name[NAME_MAX_BYTES + 1];
	int		 i, j;

	res = PQexec(conn, "SELECT oid, lower(proname) FROM pg_proc");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die("reading pg_proc");
	if ((banned = calloc((size_t)PQntuples(res) + 1,
	    sizeof(*banned))) == NULL)
		die("out of memory");
	for (i = 0; i < PQntuples(res); i++) {
		strlcpy(name, PQgetvalue(res, i, 1), sizeof(name));
		for (j = 0; name[j] != '\0'; j++)
			if ((unsigned char)name[j] >= 0x80)
				name[j] = '?';	/* as lex_name_fold() */
		if (banned_function(name, true) != NULL)
			banned[nbanned++] =
			    (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL,
			    10);
	}
	PQclear(res);
}

static bool
is_banned(unsigned long oid)
{
	int	 i;

	for (i = 0; i < nbanned; i++)
		if (banned[i] == oid)
			return true;
	return false;
}

/* Whether the plan in plan is a safe one; why set when not. */
static bool
plan_safe(char *why, size_t whysz)
{
	regmatch_t	 m[4];
	const char	*p = plan;
	unsigned long	 oid;

	if (plan == NULL || strstr(plan, ":commandType 1") == NULL) {
		snprintf(why, whysz, "no plan of a SELECT came back");
		return false;
	}
	if (strstr(plan, "{LOCKROWS") != NULL ||
	    strstr(plan, "{MODIFYTABLE") != NULL) {
		snprintf(why, whysz, "the plan locks or modifies rows");
		return false;
	}
	while (regexec(&oid_re, p, 4, m, 0) == 0) {
		oid = strtoul(p + m[3].rm_so, NULL, 10);
		if (is_banned(oid)) {
			snprintf(why, whysz, "the plan calls function %lu "
			    "(%.*s), which the guard bans", oid,
			    (int)(m[1].rm_eo - m[1].rm_so), p + m[1].rm_so);
			return false;
		}
		p += m[0].rm_eo;
	}
	return true;
}

/* Whether an error is PostgreSQL refusing the text, not a write. */
static bool
error_expected(const PGresult *res, char *why, size_t whysz)
{
	const char	*state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char	*msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	static const char *const write_errors[] = {
		"multiple commands", "data-modifying", "SELECT ... INTO",
		"read-only transaction", NULL
	};
	int		 i;

	if (state == NULL)
		state = "";
	if (msg == NULL)
		msg = "";
	for (i = 0; i < 32; i++)
		if (refusals[i].n == 0 ||
		    strcmp(refusals[i].state, state) == 0) {
			strlcpy(refusals[i].state, state,
			    sizeof(refusals[i].state));
			refusals[i].n++;
			break;
		}
	snprintf(why, whysz, "%s: %s", state, msg);
	for (i = 0; write_errors[i] != NULL; i++)
		if (strstr(msg, write_errors[i]) != NULL)
			return false;
	return strncmp(state, "42", 2) == 0 || strncmp(state, "22", 2) == 0 ||
	    strncmp(state, "0A", 2) == 0 || strncmp(state, "54", 2) == 0 ||
	    strncmp(state, "3F", 2) == 0;
}

/* One input: the guard's verdict, then PostgreSQL's. */
static void
check_input(const char *path, const char *sql, size_t len)
{
	PGresult	*res;
	char		 why[512], *stmt;
	size_t		 stmt_len, plen = strlen(DIFF_PREFIX);
	bool		 good;

	n_inputs++;
	if (memchr(sql, '\0', len) != NULL || !json_utf8_valid(sql, len)) {
		n_unsendable++;
		return;
	}
	if (guard_check(sql, len, &stmt_len, NULL, 0) == -1) {
		n_rejected++;
		return;
	}
	if ((stmt = malloc(plen + stmt_len + 2)) == NULL)
		die("out of memory");
	memcpy(stmt, DIFF_PREFIX, plen);
	memcpy(stmt + plen, sql, stmt_len);
	memcpy(stmt + plen + stmt_len, "\n", 2);

	exec_ok("BEGIN READ ONLY");
	exec_ok("SET LOCAL statement_timeout = '" DIFF_TIMEOUT "'");
	exec_ok("SET LOCAL client_min_messages = log");
	exec_ok("SET LOCAL debug_pretty_print = off");
	exec_ok("SET LOCAL debug_print_plan = on");
	free(plan);
	plan = NULL;
	planlen = 0;
	res = PQexecParams(conn, stmt, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		n_planned++;
		good = plan_safe(why, sizeof(why));
	} else {
		n_refused++;
		good = error_expected(res, why, sizeof(why));
	}
	PQclear(res);
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	free(stmt);
	if (!good) {
		n_failed++;
		fprintf(notes, "# %s: %s\n#   %.200s\n", path, why, sql);
	}
}

static void
check_file(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) == -1 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(notes, "# %s: %s\n", path, strerror(errno));
		n_failed++;
		if (f != NULL)
			fclose(f);
		return;
	}
	fclose(f);
	check_input(path, buf, (size_t)n);
	free(buf);
}

/* Each NUL-terminated input of the file, named path:N. */
static void
check_list(const char *path)
{
	FILE	*f;
	char	*buf = NULL, name[4096];
	size_t	 cap = 0, n = 0;
	ssize_t	 len;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(notes, "# %s: %s\n", path, strerror(errno));
		n_failed++;
		return;
	}
	while ((len = getdelim(&buf, &cap, '\0', f)) > 0) {
		snprintf(name, sizeof(name), "%s:%zu", path, ++n);
		check_input(name, buf, buf[len - 1] == '\0' ?
		    (size_t)len - 1 : (size_t)len);
	}
	free(buf);
	fclose(f);
}

static void
check_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096];

	if ((d = opendir(dir)) == NULL) {
		fprintf(notes, "# %s: %s\n", dir, strerror(errno));
		n_failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_file(path);
	}
	closedir(d);
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	char		 dsn[4096], port[16] = "", path[4096], line[1024];
	FILE		*f;
	int		 i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PGDIR DIR|FILE|-z LIST ...\n",
		    argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/port", argv[1]);
	if ((f = fopen(path, "r")) == NULL || fgets(port, sizeof(port), f) ==
	    NULL)
		die("reading the cluster's port file");
	fclose(f);
	port[strcspn(port, "\n")] = '\0';
	snprintf(dsn, sizeof(dsn), "host=%s port=%s dbname=tracksolid_db "
	    "user=analytics_ro application_name=guard_differential", argv[1],
	    port);
	conn = PQconnectdb(dsn);
	if (PQstatus(conn) != CONNECTION_OK)
		die("connecting");
	PQsetNoticeReceiver(conn, on_notice, NULL);
	if (regcomp(&oid_re, ":([a-z]*(funcid|fnoid)) ([0-9]+)",
	    REG_EXTENDED) != 0)
		die("regcomp");
	if ((notes = tmpfile()) == NULL)
		die("tmpfile");
	load_banned();
	if (nbanned == 0)
		die("no banned function found in pg_proc");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-z") == 0 && i + 1 < argc)
			check_list(argv[++i]);
		else if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			check_dir(argv[i]);
		else
			check_file(argv[i]);
	}
	PQfinish(conn);
	if (n_failed == 0 && n_planned > 0)
		printf("ok - guard differential: of %zu inputs the guard "
		    "accepted %zu; PostgreSQL planned %zu without a banned "
		    "function and refused %zu with a syntax or semantic "
		    "error\n", n_inputs, n_planned + n_refused, n_planned,
		    n_refused);
	else
		printf("not ok - guard differential: %zu of %zu accepted "
		    "inputs failed (%zu planned)\n", n_failed,
		    n_planned + n_refused, n_planned);
	printf("# %zu rejected by the guard, %zu not valid UTF-8 or holding a "
	    "NUL byte; %d "
	    "functions in pg_proc are banned\n# refused by SQLSTATE:",
	    n_rejected, n_unsendable, nbanned);
	for (i = 0; i < 32 && refusals[i].n > 0; i++)
		printf(" %s %zu", refusals[i].state, refusals[i].n);
	printf("\n");
	rewind(notes);
	while (fgets(line, sizeof(line), notes) != NULL)
		fputs(line, stdout);
	return n_failed == 0 && n_planned > 0 ? 0 : 1;
}
