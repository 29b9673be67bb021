/*
 * completion/complete: values for a prompt's arguments and for the
 * resource template's variables, starting with what the analyst typed,
 * at most COMPLETE_MAX of them (hasMore says when there are more):
 *   - explore_table's table and the template's {table}: readable
 *     relations (schema.name, or the names of the schema the template's
 *     {schema} already says);
 *   - the template's {schema}: the readable schemas (no database);
 *   - open_incidents_by_region's region: from tickets.geo_clusters, a
 *     small table, so never a scan of the incidents.
 * Anything else completes to nothing, answered without the database (a
 * job with no statement).  Each value starts with what the analyst typed:
 * starts_with(), so no LIKE pattern reaches the SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define COMPLETE_TEMPLATE	"analytics://table/{schema}/{table}"

/* Readable relations of schema $1 (or all readable ones) starting $2. */
static const char sql_tables[] =
    "SELECT CASE WHEN $3 = '' THEN n.nspname || '.' || c.relname "
    "ELSE c.relname END AS v "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = ANY ($1::text[]) AND ($3 = '' OR n.nspname = $3) "
    "AND " READABLE_REL " "
    "AND starts_with(CASE WHEN $3 = '' THEN n.nspname || '.' || c.relname "
    "ELSE c.relname END, $2) ORDER BY 1 LIMIT " STR(COMPLETE_MAX) " + 1";

/* Regions from the clusters' own small table: never the incidents. */
static const char sql_regions[] =
    "SELECT DISTINCT region FROM tickets.geo_clusters "
    "WHERE starts_with(region, $1) ORDER BY 1 LIMIT " STR(COMPLETE_MAX) " + 1";

/* The values found, kept on the job until it answers. */
struct values {
	int	 n;
	char	*v[COMPLETE_MAX + 1];
};

static void
values_free(void *p)
{
	struct values	*vs = p;
	int		 i;

	if (vs == NULL)
		return;
	for (i = 0; i < vs->n; i++)
		free(vs->v[i]);
	free(vs);
}

static int
values_add(struct values *vs, const char *v)
{
	if (vs->n > COMPLETE_MAX)
		return 0;	/* one more than shown proves hasMore */
	if ((vs->v[vs->n] = strdup(v)) == NULL)
		return -1;
	vs->n++;
	return 0;
}

static int
values_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The reply: at most COMPLETE_MAX values, and whether there are more. */
static void
complete_send(struct job *job)
{
	struct values	*vs = job->ctx;
	struct jw	 w;
	int		 i;

	if (job->failed) {
		result_job_error(job);
		return;
	}
	jw_init(&w);
	rpc_result_begin(&w, job->req);
	jw_obj_open(&w);
	jw_key(&w, "completion");
	jw_obj_open(&w);
	jw_key(&w, "values");
	jw_arr_open(&w);
	for (i = 0; i < vs->n && i < COMPLETE_MAX; i++)
		jw_str(&w, vs->v[i]);
	jw_arr_close(&w);
	jw_kbool(&w, "hasMore", vs->n > COMPLETE_MAX);
	jw_obj_close(&w);
	jw_obj_close(&w);
	rpc_result_end(&w, job->req);
	jw_free(&w);
}

/* A catalog step's values. */
static enum step_next
cb_values(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	int		 r;

	(void)conn;
	for (r = 0; r < PQntuples(res); r++)
		if (values_add(job->ctx, PQgetvalue(res, r, 0)) == -1) {
			job->failed = true;
			err_set(&job->err, 0, "out of memory");
			return STEP_FAIL;
		}
	return STEP_NEXT;
}

/* The string member key of object tok, or "" when absent. */
static char *
complete_str(const struct json_doc *doc, int tok, const char *key)
{
	int	 t = json_member(doc, tok, key);

	return t == -1 ? strdup("") : json_strdup(doc, t);
}

int
complete_make(struct rpc_req *req, const struct config *cfg,
    struct job **jobp, struct error *err)
{
	const struct json_doc	*doc = &req->doc;
	struct job		*job;
	struct values		*vs;
	char			*type = NULL, *ref = NULL, *arg = NULL;
	char			*value = NULL, *schema = NULL;
	int			 r, a, rc = -1;
	size_t			 i;

	*jobp = NULL;
	r = json_member(doc, req->params, "ref");
	a = json_member(doc, req->params, "argument");
	if (json_type(doc, r) != JSON_OBJECT ||
	    json_type(doc, a) != JSON_OBJECT ||
	    (type = complete_str(doc, r, "type")) == NULL ||
	    (ref = complete_str(doc, r, strcmp(type, "ref/resource") == 0 ?
	    "uri" : "name")) == NULL ||
	    (arg = complete_str(doc, a, "name")) == NULL ||
	    (value = complete_str(doc, a, "value")) == NULL ||
	    (schema = complete_str(doc, json_member(doc, json_member(doc,
	    req->params, "context"), "arguments"), "schema")) == NULL ||
	    strlen(value) > NAME_MAX_BYTES * 2 + 1) {
		err_set(err, RPC_INVALID_PARAMS, "completion/complete takes "
		    "ref {type, name or uri} and argument {name, value}, "
		    "strings");
		goto out;
	}
	if ((job = job_new(req, "completion/complete", cfg)) == NULL) {
		err_set(err, RPC_INTERNAL_ERROR, "out of memory");
		goto out;
	}
	*jobp = job;		/* it owns req now: failures go on it */
	rc = 0;
	job->send = complete_send;
	if ((vs = calloc(1, sizeof(*vs))) == NULL) {
		job->failed = true;
		err_set(&job->err, RPC_INTERNAL_ERROR, "out of memory");
		goto out;
	}
	job->ctx = vs;
	job->ctx_free = values_free;
	if (strcmp(type, "ref/resource") == 0 &&
	    strcmp(ref, COMPLETE_TEMPLATE) == 0 && strcmp(arg, "schema") == 0) {
		for (i = 0; i < cfg->nschemas; i++)
			if (strncmp(cfg->schemas[i], value, strlen(value)) == 0 &&
			    values_add(vs, cfg->schemas[i]) == -1)
				job->failed = true;
		/* Sorted, as the catalog's values are. */
		qsort(vs->v, (size_t)vs->n, sizeof(vs->v[0]), values_cmp);
	} else if ((strcmp(type, "ref/resource") == 0 &&
	    strcmp(ref, COMPLETE_TEMPLATE) == 0 && strcmp(arg, "table") == 0) ||
	    (strcmp(type, "ref/prompt") == 0 &&
	    strcmp(ref, "explore_table") == 0 && strcmp(arg, "table") == 0)) {
		if (strcmp(type, "ref/prompt") == 0)
			schema[0] = '\0';	/* schema.table, all of them */
		if (job_add(job, sql_tables, cb_values, 3, cfg->schemas_array,
		    value, schema) == -1)
			job->failed = true;
	} else if (strcmp(type, "ref/prompt") == 0 &&
	    strcmp(ref, "open_incidents_by_region") == 0 &&
	    strcmp(arg, "region") == 0) {
		if (job_add(job, sql_regions, cb_values, 1, value) == -1)
			job->failed = true;
	}
	/* Anything else: no statement, so nothing to offer. */
	if (job->failed)
		err_set(&job->err, RPC_INTERNAL_ERROR, "out of memory");
out:
	free(type);
	free(ref);
	free(arg);
	free(value);
	free(schema);
	return rc;
}
