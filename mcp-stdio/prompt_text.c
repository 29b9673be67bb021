/*
 * The message of a prompts/get: the catalog's answers (the table's
 * columns, its latest month) into the request's state, the task text of
 * each prompt, and the reply.  The state is the job's ctx, made by
 * prompts_get() and freed with the job.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

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

void
ptext_distance(struct text *t, const struct pget *g)
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

void
ptext_open(struct text *t, const struct pget *g)
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

void
ptext_mttr(struct text *t, const struct pget *g)
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

void
ptext_fuel(struct text *t, const struct pget *g)
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

void
ptext_explore(struct text *t, const struct pget *g)
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

void
ptext_free(void *ctx)
{
	struct pget	*g = ctx;

	if (g == NULL)
		return;
	free(g->qualified);
	free(g->comment);
	text_free(&g->cols);
	free(g);
}

/* Fail a prompts/get: job->err holds the JSON-RPC error. */
static enum step_next
get_fail(struct job *job)
{
	job->failed = true;
	return STEP_FAIL;
}

enum step_next
ptext_columns(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct pget	*g = job->ctx;
	const char	*name, *cc;
	struct step	*next;
	char		 sql[512], *q;
	int		 r, i, n = PQntuples(res);

	if (g == NULL || n < 1 || PQnfields(res) != 6) {
		err_set(&job->err, RPC_INTERNAL_ERROR, "internal error in %s",
		    job->tool);
		return get_fail(job);
	}
	if (PQgetisnull(res, 0, 0)) {
		if (g->p->schema != NULL)
			err_set(&job->err, RPC_INVALID_PARAMS, "prompt %s is "
			    "not available here: its table %s.%s is not "
			    "readable", g->p->name, g->schema, g->table);
		else
			err_set(&job->err, RPC_INVALID_PARAMS, "no readable "
			    "table or view \"%s\" in schema \"%s\"; it has: %s",
			    g->table, g->schema, PQgetisnull(res, 0, 5) ?
			    "no readable tables or views" :
			    PQgetvalue(res, 0, 5));
		return get_fail(job);
	}
	err_set(&job->err, RPC_INTERNAL_ERROR, "out of memory");
	if ((g->qualified = strdup(PQgetvalue(res, 0, 0))) == NULL ||
	    (!PQgetisnull(res, 0, 1) &&
	    (g->comment = strdup(PQgetvalue(res, 0, 1))) == NULL))
		return get_fail(job);
	for (r = 0; r < n && r < PROMPT_COLUMNS_MAX; r++) {
		if (PQgetisnull(res, r, 2))
			break;			/* no columns at all */
		name = PQgetvalue(res, r, 2);
		cc = PQgetisnull(res, r, 4) ? NULL : PQgetvalue(res, r, 4);
		text_add(&g->cols, "- %s %s%s%s\n", name,
		    PQgetvalue(res, r, 3), cc != NULL ? ": " : "",
		    cc != NULL ? cc : "");
		for (i = 0; g->p->keys[i] != NULL; i++)
			if (strcmp(g->p->keys[i], name) == 0)
				g->have |= 1u << i;
		job->nrows++;
	}
	if (n > PROMPT_COLUMNS_MAX)
		text_add(&g->cols, "- ... more columns: describe_table "
		    "lists them all\n");
	if (g->cols.failed)
		return get_fail(job);
	/*
	 * The latest month of data, when none was asked for: the column
	 * is one the catalog has, the relation the catalog's quoted name.
	 */
	if (g->p->month_col != NULL && g->month[0] == '\0' &&
	    has(g, g->p->month_col) && job->cur + 1 < job->nsteps) {
		next = &job->steps[job->cur + 1];
		q = PQescapeIdentifier(conn, g->p->month_col,
		    strlen(g->p->month_col));
		if (q == NULL)
			return get_fail(job);
		snprintf(sql, sizeof(sql), "SELECT to_char(max(%s), "
		    "'YYYY-MM') AS month FROM %s", q, g->qualified);
		PQfreemem(q);
		free(next->sql);
		if ((next->sql = strdup(sql)) == NULL)
			return get_fail(job);
	}
	memset(&job->err, 0, sizeof(job->err));
	return STEP_NEXT;
}

enum step_next
ptext_month(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct pget	*g = job->ctx;

	(void)conn;
	if (g == NULL) {
		err_set(&job->err, RPC_INTERNAL_ERROR, "internal error in %s",
		    job->tool);
		return get_fail(job);
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    strlen(PQgetvalue(res, 0, 0)) == 7)
		strlcpy(g->month, PQgetvalue(res, 0, 0), sizeof(g->month));
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

void
ptext_send(struct job *job)
{
	const struct pget *g = job->ctx;
	struct jw	 w;
	struct text	 t;

	if (job->failed) {
		result_job_error(job);
		return;
	}
	memset(&t, 0, sizeof(t));
	if (g != NULL && g->qualified != NULL)
		get_message(&t, g);
	else
		t.failed = true;
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "description", g != NULL && g->p != NULL ?
	    g->p->description : "");
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
	(void)rpc_reply_json(job->req, &w);
	jw_free(&w);
	text_free(&t);
}
