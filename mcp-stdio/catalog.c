/*
 * The catalog: the fixed, parameterised SQL of the listing tools
 * (list_schemas, list_tables, describe_table, list_functions) and the
 * callbacks that turn their rows into objects, within the byte budget.
 * The relation lookup is shared with sample_table (rowset.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define RELKIND_NAME \
    "CASE c.relkind WHEN 'r' THEN 'table' " \
    "WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view' " \
    "WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END"
#define RELKINDS	"('r', 'p', 'v', 'm', 'f')"
#define EST_ROWS \
    "CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END"

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

static const char sql_tables[] =
    "SELECT c.relname AS name, " RELKIND_NAME " AS kind, "
    "obj_description(c.oid, 'pg_class') AS comment, "
    EST_ROWS " AS estimated_rows "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN " RELKINDS " "
    "AND NOT c.relispartition ORDER BY c.relname";

/*
 * Always one row: the relation's facts, or NULLs and the names that do
 * exist in the schema (at most 200) when it does not.
 */
const char catalog_sql_relation[] =
    "WITH r AS (SELECT c.oid, c.relname, c.relkind, c.reltuples "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS ") "
    "SELECT CASE WHEN c.oid IS NOT NULL "
    "THEN format('%I.%I', $1, c.relname) END AS qualified, "
    RELKIND_NAME " AS kind, "
    "obj_description(c.oid, 'pg_class') AS comment, "
    EST_ROWS " AS estimated_rows, "
    "(SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]') "
    "FROM pg_index i CROSS JOIN unnest(i.indkey) WITH ORDINALITY "
    "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid "
    "AND a.attnum = k.attnum WHERE i.indrelid = c.oid AND i.indisprimary) "
    "AS primary_key, "
    "CASE WHEN c.oid IS NULL THEN (SELECT string_agg(x.relname, ', ' "
    "ORDER BY x.relname) FROM (SELECT c2.relname FROM pg_class c2 "
    "JOIN pg_namespace n2 ON n2.oid = c2.relnamespace "
    "WHERE n2.nspname = $1 AND c2.relkind IN " RELKINDS " "
    "AND NOT c2.relispartition ORDER BY c2.relname LIMIT 200) x) "
    "END AS existing "
    "FROM (SELECT 1) AS one LEFT JOIN r AS c ON true";

static const char sql_columns[] =
    "SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, "
    "NOT a.attnotnull AS nullable, "
    "pg_get_expr(d.adbin, d.adrelid) AS default, "
    "col_description(a.attrelid, a.attnum) AS comment "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 "
    "AND NOT a.attisdropped ORDER BY a.attnum";

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

/*
 * A catalog listing: each result row as an object (column name: value)
 * in an array under the key job->list_key, within the byte budget.
 */
static enum step_next
cb_objects(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct jw	 obj;
	int		 r, c, n = PQntuples(res);
	size_t		 used = 0;

	(void)conn;
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
			jw_key(&obj, PQfname(res, c));
			pgv_write(&obj, PQftype(res, c), PQgetvalue(res, r, c),
			    (size_t)PQgetlength(res, r, c),
			    PQgetisnull(res, r, c));
		}
		jw_obj_close(&obj);
		if (used + obj.len + 1 > (size_t)job->max_bytes) {
			job->truncated = TRUNC_BYTES;
			break;
		}
		used += obj.len + 1;
		jw_raw(&job->out, obj.buf, obj.len);
		job->nrows++;
	}
	jw_free(&obj);
	jw_arr_close(&job->out);
	return STEP_NEXT;
}

/*
 * Fail the job naming what the schema does hold when the relation of a
 * sql_relation lookup does not exist; true when it does.
 */
bool
catalog_relation_found(struct job *job, const void *vres)
{
	const PGresult	*res = vres;
	const char	*schema = job->steps[job->cur].params[0];
	const char	*table = job->steps[job->cur].params[1];

	if (PQntuples(res) != 1) {
		job->failed = true;
		err_set(&job->err, 0, "internal error in %s", job->tool);
		return false;
	}
	if (!PQgetisnull(res, 0, 0))
		return true;
	job->failed = true;
	err_set(&job->err, 0, "no table or view \"%s\" in schema \"%s\"; "
	    "it has: %s", table, schema, PQgetisnull(res, 0, 5) ?
	    "no tables or views" : PQgetvalue(res, 0, 5));
	return false;
}

/* describe_table: the relation's facts. */
static enum step_next
cb_relation(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	int		 c;

	(void)conn;
	if (!catalog_relation_found(job, res))
		return STEP_FAIL;
	for (c = 1; c < 5; c++) {
		jw_key(&job->out, PQfname(res, c));
		pgv_write(&job->out, PQftype(res, c), PQgetvalue(res, 0, c),
		    (size_t)PQgetlength(res, 0, c), PQgetisnull(res, 0, c));
	}
	return STEP_NEXT;
}

/* A listing's structuredContent ends with its truncation flag. */
static void
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
	if (job_add(job, sql_schemas, cb_objects, 1, cfg->schemas_array) == -1)
		return err_set(err, 0, "out of memory");
	return 0;
}

/* A listing of one schema's objects under key: tables or functions. */
static int
prep_listing(struct job *job, struct args *a, const struct config *cfg,
    const char *def, const char *key, const char *sql, struct error *err)
{
	char	*schema;
	int	 rc;

	if (arg_schema(a, cfg, def, &schema, err) == -1)
		return -1;
	job->finish = catalog_finish;
	job->list_key = key;
	jw_kstr(&job->out, "schema", schema);
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
catalog_describe(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	char	*schema, *table;
	int	 rc;

	if (arg_relation(a, cfg, &schema, &table, err) == -1)
		return -1;
	job->finish = catalog_finish;
	job->list_key = "columns";
	jw_kstr(&job->out, "schema", schema);
	jw_kstr(&job->out, "table", table);
	rc = job_add(job, catalog_sql_relation, cb_relation, 2, schema, table);
	if (rc == 0)
		rc = job_add(job, sql_columns, cb_objects, 2, schema, table);
	free(schema);
	free(table);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}

int
catalog_functions(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	return prep_listing(job, a, cfg, "reporting", "functions",
	    sql_functions, err);
}
