/*
 * Prompts: the prompt table, prompts/list and prompts/get.  Each prompt
 * is one question an analyst asks often; prompts/get expands it into one
 * user message that names the table, the columns the catalog has now (a
 * renamed column shows) and the tools to use.  Both read the catalog
 * through a job: prompts/list leaves out a prompt whose table is not
 * readable, prompts/get reads the table's columns (prompt_text.c takes
 * the answers and writes the message).  Arguments are checked here and
 * never reach SQL text: they are $n parameters or not sent at all.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define KEYS_MAX	8	/* columns a prompt names */

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
	  "plate", NULL }, NULL, ptext_distance },
	{ "open_incidents_by_region", "Open incidents by region",
	  "Open INC tickets by region and SLA status.", args_region,
	  "tickets", "inc",
	  (const char *const[]){ "normalized_status", "region", "sla_status",
	  "cluster", "opened_at", "sla_due_at", NULL }, NULL, ptext_open },
	{ "mttr_by_cluster", "MTTR by cluster",
	  "Mean time to repair of incidents per cluster for one month.",
	  args_month, "tickets", "inc",
	  (const char *const[]){ "cluster", "region", "mttr", "opened_at",
	  "closed_at", "normalized_status", "sla_status", NULL }, "closed_at",
	  ptext_mttr },
	{ "fuel_by_vehicle", "Fuel by vehicle",
	  "Fuel bought per vehicle (fills, litres, amount) over a period.",
	  args_period, "fuel", "records",
	  (const char *const[]){ "plate", "imei", "filled_at", "litres",
	  "amount", "odometer_km", NULL }, NULL, ptext_fuel },
	{ "explore_table", "Explore a table",
	  "Explore one table or view: what a row is, keys, time range, "
	  "values and data quality.", args_table, NULL, NULL,
	  (const char *const[]){ NULL }, NULL, ptext_explore },
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
		(void)rpc_reply_json(job->req, &job->out);
		return;
	}
	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "prompts");
	prompts_write_array(&w, job->req->proto, NULL);
	jw_obj_close(&w);
	(void)rpc_reply_json(job->req, &w);
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

/*
 * An optional argument of at most 15 bytes into out ("" when absent) that
 * valid() accepts; what says what it must be.
 */
static int
get_checked(struct args *a, const char *name, bool (*valid)(const char *),
    const char *what, char *out, size_t outsz, struct error *err)
{
	char	 buf[16];

	if (get_str(a, name, false, buf, sizeof(buf), err) == -1)
		return -1;
	if (buf[0] != '\0' && !valid(buf))
		return err_set(err, 0, "argument \"%s\" must be %s, not \"%s\"",
		    name, what, buf);
	strlcpy(out, buf, outsz);
	return 0;
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

/* Read and check the arguments of prompt p into g. */
static int
get_args(struct args *a, const struct config *cfg, const struct prompt *p,
    struct pget *g, struct error *err)
{
	char		 buf[2 * NAME_MAX_BYTES + 2], *dot;
	const char	*e;

	if (p->args == args_days) {
		g->days = 30;
		if (get_str(a, "days", false, buf, 16, err) == -1)
			return -1;
		if (buf[0] != '\0') {
			g->days = arg_digits(buf, strlen(buf)) ?
			    strtonum(buf, 1, 3650, &e) : 0;
			if (g->days == 0)
				return err_set(err, 0, "argument \"days\" must "
				    "be a whole number of days from 1 to 3650, "
				    "not \"%s\"", buf);
		}
	} else if (p->args == args_region) {
		if (get_str(a, "region", false, g->region,
		    sizeof(g->region), err) == -1)
			return -1;
		if (g->region[0] != '\0' && !region_valid(g->region))
			return err_set(err, 0, "argument \"region\" must be a "
			    "region name: letters, digits, spaces, '.', '_' "
			    "or '-'");
	} else if (p->args == args_month) {
		if (get_checked(a, "month", arg_month_valid, "a month as "
		    "YYYY-MM, e.g. 2026-09", g->month, sizeof(g->month),
		    err) == -1)
			return -1;
	} else if (p->args == args_period) {
		if (get_checked(a, "from", arg_date_valid, "a date as "
		    "YYYY-MM-DD, e.g. 2026-09-01", g->from, sizeof(g->from),
		    err) == -1 ||
		    get_checked(a, "to", arg_date_valid, "a date as "
		    "YYYY-MM-DD, e.g. 2026-09-30", g->to, sizeof(g->to),
		    err) == -1)
			return -1;
		if (g->from[0] != '\0' && g->to[0] != '\0' &&
		    strcmp(g->from, g->to) > 0)
			return err_set(err, 0, "\"from\" (%s) is after \"to\" "
			    "(%s)", g->from, g->to);
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
		if (arg_schema_check(cfg, buf, err) == -1)
			return -1;
		strlcpy(g->schema, buf, sizeof(g->schema));
		strlcpy(g->table, dot + 1, sizeof(g->table));
	}
	if (p->schema != NULL) {
		strlcpy(g->schema, p->schema, sizeof(g->schema));
		strlcpy(g->table, p->table, sizeof(g->table));
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
	struct pget	*g = NULL;
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
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	g->p = p;
	a.req = req;
	a.obj = json_member(&req->doc, req->params, "arguments");
	if (json_type(&req->doc, a.obj) == JSON_NULL)
		a.obj = -1;
	if (a.obj != -1 && json_type(&req->doc, a.obj) != JSON_OBJECT) {
		err_set(err, RPC_INVALID_PARAMS, "\"arguments\" must be an "
		    "object of strings");
		goto fail;
	}
	for (i = 0; i < KEYS_MAX && p->args[i].name != NULL; i++)
		anames[i] = p->args[i].name;
	anames[i] = NULL;
	if (arg_known(&a, p->name, anames, err) == -1 ||
	    get_args(&a, cfg, p, g, err) == -1) {
		err->code = RPC_INVALID_PARAMS;
		goto fail;
	}
	if ((job = job_new(req, "prompts/get", cfg)) == NULL) {
		err_set(err, RPC_INTERNAL_ERROR, "out of memory");
		goto fail;
	}
	job->ctx = g;		/* freed with the job from here on */
	job->ctx_free = ptext_free;
	job->send = ptext_send;
	if (job_add(job, sql_columns, ptext_columns, 3, g->schema, g->table,
	    cfg->schemas_array) == -1 || (p->month_col != NULL &&
	    g->month[0] == '\0' &&
	    job_add(job, sql_no_month, ptext_month, 0) == -1)) {
		job->req = NULL;	/* still the caller's */
		job_free(job);
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	*jobp = job;
	return 0;
fail:
	ptext_free(g);
	return -1;
}
