/*
 * The catalog: the fixed, parameterised SQL of the listing tools
 * (list_schemas, list_tables, list_functions) and the callbacks that turn
 * their rows into objects, within the byte budget; and what describe.c
 * and rowset.c share with them: the relation lookup, the TimescaleDB
 * probe, the object writer.  The SQL fragments they are all built from
 * are in extern.h.
 *
 * Everything here reads the catalog and the planner's statistics
 * (pg_class, pg_stats), never the tables themselves: row counts, value
 * ranges and distinct counts are estimates as of the last ANALYZE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

/*
 * Whether the TimescaleDB catalog is there and readable: only then may
 * the statements that follow name it.
 */
const char catalog_sql_probe[] =
    "SELECT EXISTS (SELECT 1 FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = '_timescaledb_catalog' AND c.relname = 'hypertable' "
    "AND c.relkind = 'r' AND has_schema_privilege(n.oid, 'USAGE') "
    "AND has_table_privilege(c.oid, 'SELECT')) AS timescaledb";

/* What every session should know once: the clock and the server. */
static const char sql_server[] =
    "SELECT current_setting('TimeZone') AS time_zone, "
    "to_json(date_trunc('second', now())) AS now, "
    "current_setting('server_version') AS server_version";

static const char sql_schemas[] =
    "SELECT n.nspname AS schema, "
    "obj_description(n.oid, 'pg_namespace') AS comment, "
    "count(c.oid) FILTER (WHERE c.relkind IN ('r', 'p')) AS tables, "
    "count(c.oid) FILTER (WHERE c.relkind = 'v') AS views, "
    "count(c.oid) FILTER (WHERE c.relkind = 'm') AS materialized_views, "
    "count(c.oid) FILTER (WHERE c.relkind = 'f') AS foreign_tables, "
    "(SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid) "
    "AS functions "
    "FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid "
    "AND c.relkind IN " RELKINDS " AND NOT c.relispartition "
    "WHERE n.nspname = ANY ($1::text[]) "
    "GROUP BY n.oid, n.nspname ORDER BY n.nspname";

#define SQL_TABLES(ht) \
    "SELECT c.relname AS name, " RELKIND_NAME " AS kind, " \
    "obj_description(c.oid, 'pg_class') AS comment, " \
    EST_ROWS " AS estimated_rows" ht " " \
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " \
    "WHERE n.nspname = $1 AND c.relkind IN " RELKINDS " " \
    "AND NOT c.relispartition ORDER BY c.relname"
static const char sql_tables[] = SQL_TABLES("");
static const char sql_tables_ts[] = SQL_TABLES(HYPERTABLE);

/*
 * Always one row: the relation's name as the server quotes it, or NULL
 * and the names that do exist in the schema when it does not.
 */
const char catalog_sql_relation[] =
    REL_ROW "SELECT " QUALIFIED ", " EXISTING " "
    "FROM (SELECT 1) AS one LEFT JOIN r AS c ON true";

static const char sql_functions[] =
    "SELECT p.proname AS name, "
    "pg_get_function_arguments(p.oid) AS arguments, "
    "pg_get_function_result(p.oid) AS returns, "
    "CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' "
    "WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window' END AS kind, "
    "CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' "
    "ELSE 'volatile' END AS volatility, "
    "obj_description(p.oid, 'pg_proc') AS comment "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = $1 ORDER BY p.proname, 2";

/* Bytes of the budget left, the structuredContent so far counted. */
size_t
catalog_budget_left(const struct job *job)
{
	size_t	 max = (size_t)job->max_bytes;

	return job->out.len < max ? max - job->out.len : 0;
}

/*
 * Each result row as an object (column name: value) in an array under
 * the key job->list_key, its members from the fixed-th on left out when
 * NULL; whole objects are cut once the structuredContent would outgrow
 * the byte budget (shared by all of a call's listings).
 */
enum step_next
catalog_objects(struct job *job, const void *vres, int fixed)
{
	const PGresult	*res = vres;
	struct jw	 obj;
	int		 r, c, n = PQntuples(res);

	jw_key(&job->out, job->list_key);
	jw_arr_open(&job->out);
	jw_init(&obj);
	for (r = 0; r < n; r++) {
		if (job->nrows >= job->row_limit) {
			job->truncated = TRUNC_ROWS;
			break;
		}
		jw_reset(&obj);
		jw_obj_open(&obj);
		for (c = 0; c < PQnfields(res); c++) {
			if (c >= fixed && PQgetisnull(res, r, c))
				continue;
			jw_key(&obj, PQfname(res, c));
			pgv_write(&obj, PQftype(res, c), PQgetvalue(res, r, c),
			    (size_t)PQgetlength(res, r, c),
			    PQgetisnull(res, r, c));
		}
		jw_obj_close(&obj);
		if (obj.len + 1 > catalog_budget_left(job)) {
			job->truncated = TRUNC_BYTES;
			break;
		}
		jw_copy(&job->out, &obj);
		job->nrows++;
	}
	jw_free(&obj);
	jw_arr_close(&job->out);
	return STEP_NEXT;
}

/* A catalog listing: every member of every row. */
static enum step_next
cb_objects(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return catalog_objects(job, vres, PQnfields(vres));
}

/* The members of a one-row result written into the result as they are. */
static enum step_next
cb_facts(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	int		 c;

	(void)conn;
	if (PQntuples(res) != 1) {
		job->failed = true;
		err_set(&job->err, 0, "internal error in %s", job->tool);
		return STEP_FAIL;
	}
	for (c = 0; c < PQnfields(res); c++) {
		jw_key(&job->out, PQfname(res, c));
		pgv_write(&job->out, PQftype(res, c), PQgetvalue(res, 0, c),
		    (size_t)PQgetlength(res, 0, c), PQgetisnull(res, 0, c));
	}
	return STEP_NEXT;
}

bool
catalog_use_variant(struct job *job, const void *vres, const char *variant)
{
	const PGresult	*res = vres;
	struct step	*next = &job->steps[job->cur + 1];
	char		*sql;

	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		return true;
	if ((sql = strdup(variant)) == NULL) {
		job->failed = true;
		err_set(&job->err, 0, "out of memory");
		return false;
	}
	free(next->sql);
	next->sql = sql;
	return true;
}

/* With the TimescaleDB catalog there, the listing marks hypertables. */
static enum step_next
cb_probe(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return catalog_use_variant(job, vres, sql_tables_ts) ? STEP_NEXT :
	    STEP_FAIL;
}

/*
 * Fail the job naming what the schema does hold when the relation of a
 * catalog_sql_relation lookup does not exist; true when it does.
 */
bool
catalog_relation_found(struct job *job, const void *vres)
{
	const PGresult	*res = vres;
	const char	*schema = job->steps[job->cur].params[0];
	const char	*table = job->steps[job->cur].params[1];
	int		 ex = PQfnumber(res, "existing");

	if (PQntuples(res) != 1 || ex < 0) {
		job->failed = true;
		err_set(&job->err, 0, "internal error in %s", job->tool);
		return false;
	}
	if (!PQgetisnull(res, 0, 0))
		return true;
	job->failed = true;
	/* The code matters to resources/read; a tool shows the text only. */
	err_set(&job->err, era_not_found(job->req->proto),
	    "no table or view \"%s\" "
	    "in schema \"%s\"; "
	    "it has: %s", table, schema, PQgetisnull(res, 0, ex) ?
	    "no tables or views" : PQgetvalue(res, 0, ex));
	return false;
}

/* A listing's structuredContent ends with its truncation flag. */
void
catalog_finish(struct job *job)
{
	jw_kbool(&job->out, "truncated", job->truncated != TRUNC_NONE);
}

int
catalog_schemas(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	(void)a;
	job->finish = catalog_finish;
	job->list_key = "schemas";
	if (job_add(job, sql_server, cb_facts, 0) == -1 ||
	    job_add(job, sql_schemas, cb_objects, 1, cfg->schemas_array) == -1)
		return err_set(err, 0, "out of memory");
	return 0;
}

/* A listing of one schema's objects under key: tables or functions. */
static int
prep_listing(struct job *job, struct args *a, const struct config *cfg,
    const char *def, const char *key, const char *sql, struct error *err)
{
	char	*schema;
	int	 rc = 0;

	if (arg_schema(a, cfg, def, &schema, err) == -1)
		return -1;
	job->finish = catalog_finish;
	job->list_key = key;
	jw_kstr(&job->out, "schema", schema);
	/* cb_probe may make the listing mark hypertables. */
	if (sql == sql_tables)
		rc = job_add(job, catalog_sql_probe, cb_probe, 0);
	if (rc == 0)
		rc = job_add(job, sql, cb_objects, 1, schema);
	free(schema);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}

int
catalog_tables(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	return prep_listing(job, a, cfg, NULL, "tables", sql_tables, err);
}

int
catalog_functions(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	return prep_listing(job, a, cfg, "reporting", "functions",
	    sql_functions, err);
}
