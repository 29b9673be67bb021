/*
 * Prompts: prompts/list and prompts/get.  Each prompt is one question an
 * analyst asks often; prompts/get expands it into one user message that
 * names the table, the columns the catalog has now (a renamed column
 * shows) and the tools to use.  Both read the catalog through a job:
 * prompts/list leaves out a prompt whose table is not readable,
 * prompts/get reads the table's columns.  Arguments are checked here and
 * never reach SQL text: they are $n parameters or not sent at all.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define KEYS_MAX	8	/* columns a prompt names */
#define REGION_MAX	64	/* bytes of a region name */

struct parg {
	const char	*name;
	const char	*description;
	bool		 required;
};

struct pget;
struct text;

struct prompt {
	const char	*name;
	const char	*title;
	const char	*description;
	const struct parg *args;	/* ends with a NULL name */
	const char	*schema;	/* NULL: the table argument names it */
	const char	*table;
	const char *const *keys;	/* the columns the task uses */
	const char	*month_col;	/* its latest month is the default */
	void		(*task)(struct text *, const struct pget *);
};

/* A growable message text; failed once memory ran out. */
struct text {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	bool		 failed;
};

/*
 * The prompts/get on its way: its prompt, its checked arguments and what
 * the catalog said.  The loop runs one job at a time, from mcp_handle()
 * to its answer, so one is enough; a new prompts/get resets it.
 */
static struct pget {
	const struct job *job;
	const struct prompt *p;
	long long	 days;
	char		 month[8];	/* YYYY-MM or "" */
	char		 from[11];	/* YYYY-MM-DD or "" */
	char		 to[11];
	char		 region[REGION_MAX + 1];
	char		 schema[NAME_MAX_BYTES + 1];
	char		 table[NAME_MAX_BYTES + 1];
	char		*qualified;	/* as format('%I.%I') quotes it */
	char		*comment;
	struct text	 cols;		/* one line per column */
	unsigned int	 have;		/* bit i: keys[i] is a column */
} pget;

static void text_add(struct text *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	size_t	 cap;
	char	*p;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = true;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		cap = t->len + (size_t)n + 1 + 1024;
		if ((p = realloc(t->buf, cap)) == NULL) {
			t->failed = true;
			return;
		}
		t->buf = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void
text_free(struct text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* Whether keys[i] of the prompt is a column now. */
static bool
has(const struct pget *g, const char *key)
{
	int	 i;

	for (i = 0; g->p->keys[i] != NULL; i++)
		if (strcmp(g->p->keys[i], key) == 0)
			return (g->have & (1u << i)) != 0;
	return false;
}

/* A task step that names a column the way the catalog has it, or not. */
static const char *
col(const struct pget *g, const char *key, const char *missing)
{
	return has(g, key) ? key : missing;
}

static void
task_distance(struct text *t, const struct pget *g)
{
	text_add(t, "Which cost centres drove the most distance over the last "
	    "%lld days of data? Use this server's read-only SQL tools on %s.",
	    g->days, g->qualified);
	text_add(t, "\n\nHow:\n1. describe_table with schema \"%s\" and table "
	    "\"%s\": check the columns and where the data ends (the "
	    "range_estimate of %s); the last %lld days end at the latest day "
	    "of data, which may be before today.\n2. query: one aggregate "
	    "SELECT over %s for those days: the sum of %s per %s (NULL as "
	    "'(unassigned)'), the number of distinct vehicles (%s), ordered "
	    "by distance, largest first.\n3. If unsure whether a query is "
	    "cheap, run explain on it first.\nAnswer with a table of cost "
	    "centres and their distance, and say which days it covers.",
	    g->schema, g->table, col(g, "day", "the day column"), g->days,
	    g->qualified, col(g, "distance_km", "the distance column"),
	    col(g, "cost_centre", "cost centre"),
	    col(g, "imei", "the vehicle column"));
}

static void
task_open(struct text *t, const struct pget *g)
{
	text_add(t, "How many incidents (INC tickets) are open, by region and "
	    "SLA status%s%s%s? Use this server's read-only SQL tools on %s.",
	    g->region[0] != '\0' ? ", for the region '" : "", g->region,
	    g->region[0] != '\0' ? "'" : "", g->qualified);
	text_add(t, "\n\nHow:\n1. describe_table with schema \"%s\" and table "
	    "\"%s\": check the columns and the common values of %s and %s.\n"
	    "2. query: one aggregate SELECT over %s of the open incidents "
	    "(%s = 'open'), counted per %s and %s, with the oldest open time "
	    "(%s) and how many are past their SLA deadline (%s)%s%s%s.\n"
	    "3. If unsure whether a query is cheap, run explain on it first.\n"
	    "Answer with a table by region and SLA status.",
	    g->schema, g->table,
	    col(g, "normalized_status", "the status column"),
	    col(g, "sla_status", "the SLA status column"), g->qualified,
	    col(g, "normalized_status", "the status column"),
	    col(g, "region", "region"),
	    col(g, "sla_status", "SLA status"),
	    col(g, "opened_at", "the open time column"),
	    col(g, "sla_due_at", "the SLA deadline column"),
	    g->region[0] != '\0' ? "; only the region '" : "", g->region,
	    g->region[0] != '\0' ? "' (match the region values exactly: "
	    "list the distinct values first if it finds nothing)" : "");
}

static void
task_mttr(struct text *t, const struct pget *g)
{
	char	 month[96];

	if (g->month[0] != '\0')
		snprintf(month, sizeof(month), "%s", g->month);
	else
		snprintf(month, sizeof(month), "the latest month with closed "
		    "incidents (find it first: the latest %s)",
		    col(g, "closed_at", "close time"));
	text_add(t, "What was the mean time to repair (MTTR) of incidents per "
	    "cluster for %s? Use this server's read-only SQL tools on %s.",
	    month, g->qualified);
	text_add(t, "\n\nHow:\n1. describe_table with schema \"%s\" and table "
	    "\"%s\": check the columns and the data's time range (the "
	    "range_estimate of %s).\n2. query: one aggregate SELECT over %s of "
	    "the incidents closed in that month (%s = 'closed', %s within the "
	    "month in the database's time zone, which list_schemas shows), "
	    "grouped by %s: the count, the average and median of %s, and the "
	    "share whose %s is 'breached'; longest MTTR first.\n3. If unsure "
	    "whether a query is cheap, run explain on it first.\nAnswer with a "
	    "table per cluster and say which month it covers.",
	    g->schema, g->table, col(g, "closed_at", "the close time"),
	    g->qualified, col(g, "normalized_status", "the status column"),
	    col(g, "closed_at", "the close time"),
	    col(g, "cluster", "the cluster column"),
	    col(g, "mttr", "the repair time (close time - open time)"),
	    col(g, "sla_status", "SLA status"));
}

static void
task_fuel(struct text *t, const struct pget *g)
{
	char	 period[64];

	if (g->from[0] != '\0' && g->to[0] != '\0')
		snprintf(period, sizeof(period), "from %s to %s inclusive",
		    g->from, g->to);
	else if (g->from[0] != '\0')
		snprintf(period, sizeof(period), "from %s on", g->from);
	else if (g->to[0] != '\0')
		snprintf(period, sizeof(period), "up to %s inclusive", g->to);
	else
		snprintf(period, sizeof(period), "over all the data");
	text_add(t, "How much fuel did each vehicle use %s? Use this server's "
	    "read-only SQL tools on %s.", period, g->qualified);
	text_add(t, "\n\nHow:\n1. describe_table with schema \"%s\" and table "
	    "\"%s\": check the columns and the data's time range (the "
	    "range_estimate of %s).\n2. query: one aggregate SELECT over %s "
	    "for the period (by %s, days in the database's time zone): per "
	    "vehicle (%s, and %s where known) the number of fills, the sum of "
	    "%s and of %s; most litres first.\n3. If unsure whether a query "
	    "is cheap, run explain on it first.\nAnswer with a table per "
	    "vehicle and say which period it covers.",
	    g->schema, g->table, col(g, "filled_at", "the fill time"),
	    g->qualified, col(g, "filled_at", "the fill time"),
	    col(g, "plate", "the plate column"),
	    col(g, "imei", "the tracker column"),
	    col(g, "litres", "the litres column"),
	    col(g, "amount", "the amount column"));
}

static void
task_explore(struct text *t, const struct pget *g)
{
	text_add(t, "Explore the table %s and tell me what it holds, using "
	    "this server's read-only SQL tools.", g->qualified);
	text_add(t, "\n\nHow:\n1. describe_table with schema \"%s\" and table "
	    "\"%s\": keys, indexes, foreign keys, and each column's "
	    "statistics.\n2. sample_table with the same schema and table "
	    "(n 20) to see real rows.\n3. query: a few aggregate SELECTs over "
	    "%s: the row count, the time range of its time columns, the "
	    "distinct values of its low-cardinality columns, the share of "
	    "NULLs where it matters.\n4. If unsure whether a query is cheap, "
	    "run explain on it first.\nAnswer with what one row is, the key "
	    "columns, the time range, how it joins to other tables, and any "
	    "data quality problems you saw.", g->schema, g->table,
	    g->qualified);
}

static const struct parg args_days[] = {
	{ "days", "How many days back from the latest day of data, 1 to "
	  "3650 (default 30).", false },
	{ NULL, NULL, false }
};
static const struct parg args_region[] = {
	{ "region", "Only this region (default: all regions).", false },
	{ NULL, NULL, false }
};
static const struct parg args_month[] = {
	{ "month", "The month as YYYY-MM, e.g. 2026-09 (default: the latest "
	  "month with closed incidents).", false },
	{ NULL, NULL, false }
};
static const struct parg args_period[] = {
	{ "from", "First day as YYYY-MM-DD (default: from the start of the "
	  "data).", false },
	{ "to", "Last day as YYYY-MM-DD, inclusive (default: to the end of "
	  "the data).", false },
	{ NULL, NULL, false }
};
static const struct parg args_table[] = {
	{ "table", "A table or view as schema.table, e.g. tickets.inc.",
	  true },
	{ NULL, NULL, false }
};

static const struct prompt prompts[] = {
	{ "cost_centres_by_distance", "Cost centres by distance",
	  "The cost centres whose vehicles drove the most over the last N "
	  "days of data.", args_days, "reporting", "v_daily_summary",
	  (const char *const[]){ "day", "cost_centre", "distance_km", "imei",
	  "plate", NULL }, NULL, task_distance },
	{ "open_incidents_by_region", "Open incidents by region",
	  "Open INC tickets by region and SLA status.", args_region,
	  "tickets", "inc",
	  (const char *const[]){ "normalized_status", "region", "sla_status",
	  "cluster", "opened_at", "sla_due_at", NULL }, NULL, task_open },
	{ "mttr_by_cluster", "MTTR by cluster",
	  "Mean time to repair of incidents per cluster for one month.",
	  args_month, "tickets", "inc",
	  (const char *const[]){ "cluster", "region", "mttr", "opened_at",
	  "closed_at", "normalized_status", "sla_status", NULL }, "closed_at",
	  task_mttr },
	{ "fuel_by_vehicle", "Fuel by vehicle",
	  "Fuel bought per vehicle (fills, litres, amount) over a period.",
	  args_period, "fuel", "records",
	  (const char *const[]){ "plate", "imei", "filled_at", "litres",
	  "amount", "odometer_km", NULL }, NULL, task_fuel },
	{ "explore_table", "Explore a table",
	  "Explore one table or view: what a row is, keys, time range, "
	  "values and data quality.", args_table, NULL, NULL,
	  (const char *const[]){ NULL }, NULL, task_explore },
};

#define NPROMPTS	(sizeof(prompts) / sizeof(prompts[0]))

/*
 * Of the relations $1 (schema.name each), those this role can read in
 * the readable schemas $2.
 */
static const char sql_readable[] =
    "SELECT r FROM unnest($1::text[]) AS r WHERE EXISTS (SELECT 1 "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = split_part(r, '.', 1) "
    "AND c.relname = split_part(r, '.', 2) AND c.relkind IN " RELKINDS " "
    "AND n.nspname = ANY ($2::text[]) "
    "AND has_schema_privilege(n.oid, 'USAGE') "
    "AND has_table_privilege(c.oid, 'SELECT'))";

/*
 * The columns of relation $2 of schema $1 if this role can read it in
 * the readable schemas $3: one row per column; else one row with
 * qualified NULL and the readable names the schema does have.
 */
static const char sql_columns[] =
    "WITH r AS (SELECT c.oid, n.nspname, c.relname FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS " "
    "AND n.nspname = ANY ($3::text[]) "
    "AND has_schema_privilege(n.oid, 'USAGE') "
    "AND has_table_privilege(c.oid, 'SELECT')) "
    "SELECT CASE WHEN r.oid IS NOT NULL "
    "THEN format('%I.%I', r.nspname, r.relname) END AS qualified, "
    "left(obj_description(r.oid, 'pg_class'), 300) AS comment, "
    "a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, "
    "left(col_description(r.oid, a.attnum), 160) AS column_comment, "
    "CASE WHEN r.oid IS NULL THEN (SELECT string_agg(x.relname, ', ' "
    "ORDER BY x.relname) FROM (SELECT c2.relname FROM pg_class c2 "
    "JOIN pg_namespace n2 ON n2.oid = c2.relnamespace "
    "WHERE n2.nspname = $1 AND n2.nspname = ANY ($3::text[]) "
    "AND c2.relkind IN " RELKINDS " AND NOT c2.relispartition "
    "AND has_table_privilege(c2.oid, 'SELECT') "
    "ORDER BY c2.relname LIMIT 100) x) END AS existing "
    "FROM (SELECT 1) AS one LEFT JOIN r ON true "
    "LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped "
    "ORDER BY a.attnum LIMIT " STR(PROMPT_COLUMNS_MAX) " + 1";

/* Until the columns say otherwise: no latest month. */
static const char sql_no_month[] = "SELECT NULL::text AS month";

/* The prompts array of prompts/list; readable NULL: every prompt. */
static void
prompts_write_array(struct jw *w, enum proto proto, const bool *readable)
{
	const struct parg *a;
	size_t		 i;

	jw_arr_open(w);
	for (i = 0; i < NPROMPTS; i++) {
		if (readable != NULL && !readable[i])
			continue;
		jw_obj_open(w);
		jw_kstr(w, "name", prompts[i].name);
		if (proto >= PROTO_2025_06_18)
			jw_kstr(w, "title", prompts[i].title);
		jw_kstr(w, "description", prompts[i].description);
		jw_key(w, "arguments");
		jw_arr_open(w);
		for (a = prompts[i].args; a->name != NULL; a++) {
			jw_obj_open(w);
			jw_kstr(w, "name", a->name);
			jw_kstr(w, "description", a->description);
			jw_kbool(w, "required", a->required);
			jw_obj_close(w);
		}
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

/* Send w, the finished result value, or error -32603 if it failed. */
static void
prompts_reply(struct job *job, struct jw *res)
{
	struct jw	 w;
	struct error	 err;

	if (res->failed) {
		err_set(&err, RPC_INTERNAL_ERROR, "the result could not be "
		    "encoded");
		rpc_error(job->req, &err);
		return;
	}
	jw_init(&w);
	rpc_result_begin(&w, job->req);
	jw_raw(&w, res->buf, res->len);
	rpc_result_end(&w, job->req);
	jw_free(&w);
}

/*
 * prompts/list's answer.  When the database could not say what is
 * readable (down, timed out), every prompt is listed: prompts/get then
 * says why it cannot expand one.
 */
static void
send_list(struct job *job)
{
	struct jw	 w;

	if (!job->failed) {
		jw_obj_close(&job->out);
		prompts_reply(job, &job->out);
		return;
	}
	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "prompts");
	prompts_write_array(&w, job->req->proto, NULL);
	jw_obj_close(&w);
	prompts_reply(job, &w);
	jw_free(&w);
}

static enum step_next
cb_readable(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	bool		 readable[NPROMPTS];
	char		 rel[2 * NAME_MAX_BYTES + 2];
	size_t		 i;
	int		 r;

	(void)conn;
	for (i = 0; i < NPROMPTS; i++) {
		readable[i] = prompts[i].schema == NULL;
		snprintf(rel, sizeof(rel), "%s.%s", prompts[i].schema != NULL ?
		    prompts[i].schema : "", prompts[i].table != NULL ?
		    prompts[i].table : "");
		for (r = 0; r < PQntuples(res) && !readable[i]; r++)
			readable[i] = strcmp(PQgetvalue(res, r, 0), rel) == 0;
		if (readable[i])
			job->nrows++;
	}
	/* job->out is the open result object. */
	jw_key(&job->out, "prompts");
	prompts_write_array(&job->out, job->req->proto, readable);
	return STEP_NEXT;
}

int
prompts_list(struct rpc_req *req, const struct config *cfg,
    struct job **jobp, struct error *err)
{
	struct job	*job;
	char		 rels[NPROMPTS * (2 * NAME_MAX_BYTES + 2) + 3] = "{";
	size_t		 i;

	*jobp = NULL;
	/* Everything fits in one page, so no cursor of ours exists. */
	if (json_member(&req->doc, req->params, "cursor") != -1)
		return err_set(err, RPC_INVALID_PARAMS, "invalid cursor");
	for (i = 0; i < NPROMPTS; i++) {
		if (prompts[i].schema == NULL)
			continue;
		if (rels[1] != '\0')
			strlcat(rels, ",", sizeof(rels));
		strlcat(rels, prompts[i].schema, sizeof(rels));
		strlcat(rels, ".", sizeof(rels));
		strlcat(rels, prompts[i].table, sizeof(rels));
	}
	strlcat(rels, "}", sizeof(rels));
	if ((job = job_new(req, "prompts/list", cfg)) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	job->send = send_list;
	if (job_add(job, sql_readable, cb_readable, 2, rels,
	    cfg->schemas_array) == -1) {
		job->req = NULL;	/* still the caller's */
		job_free(job);
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	*jobp = job;
	return 0;
}

static void
pget_reset(void)
{
	free(pget.qualified);
	free(pget.comment);
	text_free(&pget.cols);
	memset(&pget, 0, sizeof(pget));
}

/* Fail a prompts/get: job->err holds the JSON-RPC error. */
static enum step_next
get_fail(struct job *job)
{
	job->failed = true;
	return STEP_FAIL;
}

/* The table's columns: into pget, and which of the keys there are. */
static enum step_next
cb_columns(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	const char	*name, *cc;
	struct step	*next;
	char		 sql[512], *q;
	int		 r, i, n = PQntuples(res);

	if (pget.job != job || n < 1 || PQnfields(res) != 6) {
		err_set(&job->err, RPC_INTERNAL_ERROR, "internal error in %s",
		    job->tool);
		return get_fail(job);
	}
	if (PQgetisnull(res, 0, 0)) {
		if (pget.p->schema != NULL)
			err_set(&job->err, RPC_INVALID_PARAMS, "prompt %s is "
			    "not available here: its table %s.%s is not "
			    "readable", pget.p->name, pget.schema, pget.table);
		else
			err_set(&job->err, RPC_INVALID_PARAMS, "no readable "
			    "table or view \"%s\" in schema \"%s\"; it has: %s",
			    pget.table, pget.schema, PQgetisnull(res, 0, 5) ?
			    "no readable tables or views" :
			    PQgetvalue(res, 0, 5));
		return get_fail(job);
	}
	err_set(&job->err, RPC_INTERNAL_ERROR, "out of memory");
	if ((pget.qualified = strdup(PQgetvalue(res, 0, 0))) == NULL ||
	    (!PQgetisnull(res, 0, 1) &&
	    (pget.comment = strdup(PQgetvalue(res, 0, 1))) == NULL))
		return get_fail(job);
	for (r = 0; r < n && r < PROMPT_COLUMNS_MAX; r++) {
		if (PQgetisnull(res, r, 2))
			break;			/* no columns at all */
		name = PQgetvalue(res, r, 2);
		cc = PQgetisnull(res, r, 4) ? NULL : PQgetvalue(res, r, 4);
		text_add(&pget.cols, "- %s %s%s%s\n", name,
		    PQgetvalue(res, r, 3), cc != NULL ? ": " : "",
		    cc != NULL ? cc : "");
		for (i = 0; pget.p->keys[i] != NULL; i++)
			if (strcmp(pget.p->keys[i], name) == 0)
				pget.have |= 1u << i;
		job->nrows++;
	}
	if (n > PROMPT_COLUMNS_MAX)
		text_add(&pget.cols, "- ... more columns: describe_table "
		    "lists them all\n");
	if (pget.cols.failed)
		return get_fail(job);
	/*
	 * The latest month of data, when none was asked for: the column
	 * is one the catalog has, the relation the catalog's quoted name.
	 */
	if (pget.p->month_col != NULL && pget.month[0] == '\0' &&
	    has(&pget, pget.p->month_col) && job->cur + 1 < job->nsteps) {
		next = &job->steps[job->cur + 1];
		q = PQescapeIdentifier(conn, pget.p->month_col,
		    strlen(pget.p->month_col));
		if (q == NULL)
			return get_fail(job);
		snprintf(sql, sizeof(sql), "SELECT to_char(max(%s), "
		    "'YYYY-MM') AS month FROM %s", q, pget.qualified);
		PQfreemem(q);
		free(next->sql);
		if ((next->sql = strdup(sql)) == NULL)
			return get_fail(job);
	}
	memset(&job->err, 0, sizeof(job->err));
	return STEP_NEXT;
}

/* The latest month of data, or NULL when there is none. */
static enum step_next
cb_month(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;

	(void)conn;
	if (pget.job != job) {
		err_set(&job->err, RPC_INTERNAL_ERROR, "internal error in %s",
		    job->tool);
		return get_fail(job);
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    strlen(PQgetvalue(res, 0, 0)) == 7)
		strlcpy(pget.month, PQgetvalue(res, 0, 0), sizeof(pget.month));
	return STEP_NEXT;
}

/* The message: the task, the table, the columns it names, all columns. */
static void
get_message(struct text *t, const struct pget *g)
{
	const char *const *k = g->p->keys;
	int		 i, missing = 0;

	g->p->task(t, g);
	text_add(t, "\n\nTable %s%s%s%s", g->qualified,
	    g->comment != NULL ? ": " : "", g->comment != NULL ?
	    g->comment : "", g->comment != NULL ? "" : ".");
	if (k[0] != NULL) {
		text_add(t, "\nColumns to use:");
		for (i = 0; k[i] != NULL; i++)
			if (g->have & (1u << i))
				text_add(t, "%s %s", (g->have & ((1u << i) - 1))
				    ? "," : "", k[i]);
		if (g->have == 0)
			text_add(t, " none of the usual ones");
		text_add(t, ".");
		for (i = 0; k[i] != NULL; i++) {
			if (g->have & (1u << i))
				continue;
			text_add(t, "%s %s", missing++ == 0 ? "\nNot there "
			    "(renamed or dropped?):" : ",", k[i]);
		}
		if (missing > 0)
			text_add(t, "; use the columns below instead, and say "
			    "which you chose.");
	}
	text_add(t, "\n\nColumns of %s (name, type, comment):\n%s",
	    g->qualified, g->cols.buf != NULL ? g->cols.buf : "(none)\n");
}

static void
send_get(struct job *job)
{
	struct jw	 w;
	struct text	 t;
	struct error	 err;

	if (job->failed) {
		if (job->err.code != 0)
			rpc_error(job->req, &job->err);
		else {
			if (job->pg.message != NULL)
				err_set(&err, RPC_INTERNAL_ERROR, "database "
				    "error: %s (SQLSTATE %s)", job->pg.message,
				    job->pg.sqlstate);
			else
				err_set(&err, RPC_INTERNAL_ERROR, "%s",
				    job->err.msg);
			rpc_error(job->req, &err);
		}
		pget_reset();
		return;
	}
	memset(&t, 0, sizeof(t));
	if (pget.job == job && pget.qualified != NULL)
		get_message(&t, &pget);
	else
		t.failed = true;
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "description", pget.p != NULL ? pget.p->description : "");
	jw_key(&w, "messages");
	jw_arr_open(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "role", "user");
	jw_key(&w, "content");
	jw_obj_open(&w);
	jw_kstr(&w, "type", "text");
	jw_key(&w, "text");
	jw_strn(&w, t.buf != NULL ? t.buf : "", t.len);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	if (t.failed)
		w.failed = true;
	prompts_reply(job, &w);
	jw_free(&w);
	text_free(&t);
	pget_reset();
}

/* An argument as a string into buf; "" when absent or empty. */
static int
get_str(struct args *a, const char *name, bool required, char *buf,
    size_t bufsz, struct error *err)
{
	char	*s;

	buf[0] = '\0';
	if (arg_str(a, name, false, bufsz - 1, &s, err) == -1)
		return -1;
	if (s != NULL)
		strlcpy(buf, s, bufsz);
	free(s);
	if (required && buf[0] == '\0')
		return err_set(err, 0, "missing argument \"%s\"", name);
	return 0;
}

/* n ASCII digits at s. */
static bool
digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* YYYY-MM, a real month. */
static bool
month_valid(const char *s)
{
	int	 m;

	if (strlen(s) != 7 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2))
		return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	return m >= 1 && m <= 12 && strncmp(s, "0000", 4) != 0;
}

/* YYYY-MM-DD, a real day of the Gregorian calendar. */
static bool
date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	char	 ym[8];
	int	 y, m, d;

	if (strlen(s) != 10 || s[7] != '-' || !digits(s + 8, 2))
		return false;
	memcpy(ym, s, 7);
	ym[7] = '\0';
	if (!month_valid(ym))
		return false;
	y = ((s[0] - '0') * 10 + (s[1] - '0')) * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (d < 1 || d > mdays[m - 1])
		return false;
	return m != 2 || d < 29 ||
	    ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* A region name: what the message may quote as it is. */
static bool
region_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr(" ._-", s[i]) == NULL)
			return false;
	return true;
}

/* Read and check the arguments of prompt p into pget. */
static int
get_args(struct args *a, const struct config *cfg, const struct prompt *p,
    struct error *err)
{
	char		 buf[2 * NAME_MAX_BYTES + 2], *dot;
	const char	*e;
	size_t		 i;

	if (p->args == args_days) {
		pget.days = 30;
		if (get_str(a, "days", false, buf, 16, err) == -1)
			return -1;
		if (buf[0] != '\0') {
			pget.days = digits(buf, strlen(buf)) ?
			    strtonum(buf, 1, 3650, &e) : 0;
			if (pget.days == 0)
				return err_set(err, 0, "argument \"days\" must "
				    "be a whole number of days from 1 to 3650, "
				    "not \"%s\"", buf);
		}
	} else if (p->args == args_region) {
		if (get_str(a, "region", false, pget.region,
		    sizeof(pget.region), err) == -1)
			return -1;
		if (pget.region[0] != '\0' && !region_valid(pget.region))
			return err_set(err, 0, "argument \"region\" must be a "
			    "region name: letters, digits, spaces, '.', '_' "
			    "or '-'");
	} else if (p->args == args_month) {
		if (get_str(a, "month", false, buf, 16, err) == -1)
			return -1;
		if (buf[0] != '\0' && !month_valid(buf))
			return err_set(err, 0, "argument \"month\" must be a "
			    "month as YYYY-MM, e.g. 2026-09, not \"%s\"", buf);
		strlcpy(pget.month, buf, sizeof(pget.month));
	} else if (p->args == args_period) {
		if (get_str(a, "from", false, buf, 16, err) == -1)
			return -1;
		if (buf[0] != '\0' && !date_valid(buf))
			return err_set(err, 0, "argument \"from\" must be a "
			    "date as YYYY-MM-DD, e.g. 2026-09-01, not \"%s\"",
			    buf);
		strlcpy(pget.from, buf, sizeof(pget.from));
		if (get_str(a, "to", false, buf, 16, err) == -1)
			return -1;
		if (buf[0] != '\0' && !date_valid(buf))
			return err_set(err, 0, "argument \"to\" must be a "
			    "date as YYYY-MM-DD, e.g. 2026-09-30, not \"%s\"",
			    buf);
		strlcpy(pget.to, buf, sizeof(pget.to));
		if (pget.from[0] != '\0' && pget.to[0] != '\0' &&
		    strcmp(pget.from, pget.to) > 0)
			return err_set(err, 0, "\"from\" (%s) is after \"to\" "
			    "(%s)", pget.from, pget.to);
	} else if (p->args == args_table) {
		if (get_str(a, "table", true, buf, sizeof(buf), err) == -1)
			return -1;
		if ((dot = strchr(buf, '.')) == NULL || dot == buf ||
		    dot[1] == '\0' || strchr(dot + 1, '.') != NULL ||
		    (size_t)(dot - buf) > NAME_MAX_BYTES ||
		    strlen(dot + 1) > NAME_MAX_BYTES)
			return err_set(err, 0, "argument \"table\" must be "
			    "schema.table, unquoted, e.g. tickets.inc");
		*dot = '\0';
		for (i = 0; i < cfg->nschemas; i++)
			if (strcmp(buf, cfg->schemas[i]) == 0)
				break;
		if (i == cfg->nschemas) {
			char	 list[SCHEMAS_MAX * (NAME_MAX_BYTES + 2)] = "";

			for (i = 0; i < cfg->nschemas; i++) {
				if (i > 0)
					strlcat(list, ", ", sizeof(list));
				strlcat(list, cfg->schemas[i], sizeof(list));
			}
			return err_set(err, 0, "schema \"%s\" is not readable "
			    "here; the readable schemas are: %s", buf, list);
		}
		strlcpy(pget.schema, buf, sizeof(pget.schema));
		strlcpy(pget.table, dot + 1, sizeof(pget.table));
	}
	if (p->schema != NULL) {
		strlcpy(pget.schema, p->schema, sizeof(pget.schema));
		strlcpy(pget.table, p->table, sizeof(pget.table));
	}
	return 0;
}

int
prompts_get(struct rpc_req *req, const struct config *cfg,
    struct job **jobp, struct error *err)
{
	const struct prompt *p = NULL;
	const char	*names[NPROMPTS + 1], *anames[KEYS_MAX + 1];
	char		 list[256];
	struct job	*job;
	struct args	 a;
	size_t		 i;
	int		 name;

	*jobp = NULL;
	name = json_member(&req->doc, req->params, "name");
	for (i = 0; i < NPROMPTS && p == NULL; i++)
		if (json_streq(&req->doc, name, prompts[i].name))
			p = &prompts[i];
	if (p == NULL) {
		for (i = 0; i < NPROMPTS; i++)
			names[i] = prompts[i].name;
		names[NPROMPTS] = NULL;
		arg_name_list(list, sizeof(list), names);
		return err_set(err, RPC_INVALID_PARAMS, "unknown prompt; the "
		    "prompts are: %s", list);
	}
	pget_reset();
	pget.p = p;
	a.req = req;
	a.obj = json_member(&req->doc, req->params, "arguments");
	if (json_type(&req->doc, a.obj) == JSON_NULL)
		a.obj = -1;
	if (a.obj != -1 && json_type(&req->doc, a.obj) != JSON_OBJECT)
		return err_set(err, RPC_INVALID_PARAMS, "\"arguments\" must be "
		    "an object of strings");
	for (i = 0; i < KEYS_MAX && p->args[i].name != NULL; i++)
		anames[i] = p->args[i].name;
	anames[i] = NULL;
	if (arg_known(&a, p->name, anames, err) == -1 ||
	    get_args(&a, cfg, p, err) == -1) {
		err->code = RPC_INVALID_PARAMS;
		return -1;
	}
	if ((job = job_new(req, "prompts/get", cfg)) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	job->send = send_get;
	if (job_add(job, sql_columns, cb_columns, 3, pget.schema, pget.table,
	    cfg->schemas_array) == -1 || (p->month_col != NULL &&
	    pget.month[0] == '\0' &&
	    job_add(job, sql_no_month, cb_month, 0) == -1)) {
		job->req = NULL;	/* still the caller's */
		job_free(job);
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	pget.job = job;
	*jobp = job;
	return 0;
}
