/*
 * The catalog: the fixed, parameterised SQL of the listing tools
 * (list_schemas, list_tables, describe_table, list_functions) and the
 * callbacks that turn their rows into objects, within the byte budget.
 * The relation lookup is shared with sample_table (rowset.c).
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

#define RELKIND_NAME \
    "CASE c.relkind WHEN 'r' THEN 'table' " \
    "WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view' " \
    "WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END"
#define RELKINDS	"('r', 'p', 'v', 'm', 'f')"
/* The oids of relation oid and of all its descendants (pg_inherits). */
#define TREE_OIDS(oid) \
    "(WITH RECURSIVE tree(oid) AS (SELECT " oid " UNION " \
    "SELECT i.inhrelid FROM pg_inherits i " \
    "JOIN tree ON i.inhparent = tree.oid) SELECT oid FROM tree)"
/*
 * The rows of c: its own reltuples, or for a parent (partitioned table,
 * inheritance parent, TimescaleDB hypertable) the sum over the whole
 * inheritance tree of the relations that store rows; NULL when none of
 * them has been vacuumed or analysed (reltuples -1).
 */
#define EST_ROWS \
    "CASE WHEN NOT c.relhassubclass THEN " \
    "CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END " \
    "ELSE (SELECT sum(t.reltuples)::bigint FROM pg_class t " \
    "WHERE t.oid IN " TREE_OIDS("c.oid") " " \
    "AND t.reltuples >= 0 AND t.relkind <> 'p') END"
/* Whether TimescaleDB lists c as a hypertable; only after the probe. */
#define HYPERTABLE \
    ", EXISTS (SELECT 1 FROM _timescaledb_catalog.hypertable h " \
    "WHERE h.schema_name = n.nspname AND h.table_name = c.relname) " \
    "AS hypertable"
/* The oid of relation $2 of schema $1, or NULL. */
#define REL_OID \
    "(SELECT c.oid FROM pg_class c " \
    "JOIN pg_namespace n ON n.oid = c.relnamespace " \
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS ")"
/* The names of columns attnums (an int2[]) of relation rel, as JSON. */
#define ATTNAMES(rel, attnums) \
    "(SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(" attnums ") " \
    "WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a " \
    "ON a.attrelid = " rel " AND a.attnum = k.attnum)"
/* Longest common value shown, in characters. */
#define MCV_CHARS	"64"
/*
 * Common values shown per column: at most MCV_MAX, and of a column with
 * more than MCV_DISTINCT values (not a set of categories) only those of
 * at least MCV_FREQ of the rows.
 */
#define MCV_MAX		"5"
#define MCV_DISTINCT	"100"
#define MCV_FREQ	"0.01"

/*
 * Whether the TimescaleDB catalog is there and readable: only then may
 * the statements that follow name it.
 */
static const char sql_probe[] =
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

/* The names that do exist in schema $1 (at most 200), when $2 does not. */
#define EXISTING \
    "CASE WHEN c.oid IS NULL THEN (SELECT string_agg(x.relname, ', ' " \
    "ORDER BY x.relname) FROM (SELECT c2.relname FROM pg_class c2 " \
    "JOIN pg_namespace n2 ON n2.oid = c2.relnamespace " \
    "WHERE n2.nspname = $1 AND c2.relkind IN " RELKINDS " " \
    "AND NOT c2.relispartition ORDER BY c2.relname LIMIT 200) x) " \
    "END AS existing"
#define REL_ROW \
    "WITH r AS (SELECT c.oid, c.relname, c.relkind, c.reltuples, " \
    "c.relhassubclass, c.relnamespace " \
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " \
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS ") "
#define QUALIFIED \
    "CASE WHEN c.oid IS NOT NULL " \
    "THEN format('%I.%I', $1, c.relname) END AS qualified"

/*
 * Always one row: the relation's name as the server quotes it, or NULL
 * and the names that do exist in the schema when it does not.
 */
const char catalog_sql_relation[] =
    REL_ROW "SELECT " QUALIFIED ", " EXISTING " "
    "FROM (SELECT 1) AS one LEFT JOIN r AS c ON true";

/*
 * describe_table's facts, the same one row: the members after
 * "qualified" up to "existing" go into the result as they are.
 */
#define SQL_DESCRIBE(ht) \
    REL_ROW "SELECT " QUALIFIED ", " RELKIND_NAME " AS kind, " \
    "obj_description(c.oid, 'pg_class') AS comment, " \
    EST_ROWS " AS estimated_rows" ht ", " \
    "(SELECT to_json(date_trunc('second', " \
    "max(greatest(s.last_analyze, s.last_autoanalyze)))) " \
    "FROM pg_stat_all_tables s WHERE s.relid IN " TREE_OIDS("c.oid") ") " \
    "AS analyzed_at, " \
    "(SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]') " \
    "FROM pg_index i CROSS JOIN unnest(i.indkey) WITH ORDINALITY " \
    "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid " \
    "AND a.attnum = k.attnum WHERE i.indrelid = c.oid AND i.indisprimary) " \
    "AS primary_key, " EXISTING " " \
    "FROM (SELECT 1) AS one LEFT JOIN r AS c ON true " \
    "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace"
static const char sql_describe[] = SQL_DESCRIBE("");
static const char sql_describe_ts[] = SQL_DESCRIBE(HYPERTABLE);

/*
 * The columns, each with what pg_stats knows of it when the relation has
 * been analysed (a parent's statistics over its whole tree when it has
 * them): the share of NULLs, the number of distinct values (n_distinct
 * below 0 is a share of the rows), the most common values with their
 * frequencies (see MCV_MAX), and for numbers, times and intervals the
 * lowest and highest value the samples saw (the histogram's ends and
 * the common values).  The range comes from the statistics of each
 * relation of the tree that stores rows, where they are readable: a
 * parent's own statistics are not kept up to date by autovacuum, its
 * children's are.  The first five members are always there; cb_columns
 * leaves the statistics out when there are none.
 */
static const char sql_columns[] =
    "WITH r AS (SELECT c.oid, " EST_ROWS " AS est "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN " RELKINDS "), "
    "tree AS (SELECT n.nspname, c.relname FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid IN " TREE_OIDS("(SELECT oid FROM r)") "), "
    "leaf AS (SELECT st.attname, st.histogram_bounds AS h, "
    "st.most_common_vals AS m FROM tree CROSS JOIN LATERAL "
    "(SELECT * FROM pg_stats st WHERE st.schemaname = tree.nspname "
    "AND st.tablename = tree.relname AND NOT st.inherited OFFSET 0) st) "
    "SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, "
    "NOT a.attnotnull AS nullable, "
    "pg_get_expr(d.adbin, d.adrelid) AS default, "
    "col_description(a.attrelid, a.attnum) AS comment, "
    "round(s.null_frac::numeric, 4)::float8 AS null_fraction, "
    "s.distinct_estimate, "
    "(SELECT json_agg(json_build_object('value', "
    "CASE WHEN length(m.v::text) > " MCV_CHARS " "
    "THEN to_json(left(m.v #>> '{}', " MCV_CHARS " - 3) || '...') "
    "ELSE m.v END, 'frequency', round(f.f::numeric, 4)::float8) "
    "ORDER BY m.o) "
    "FROM json_array_elements(array_to_json(s.most_common_vals)) "
    "WITH ORDINALITY AS m(v, o) "
    "JOIN unnest(s.most_common_freqs) WITH ORDINALITY AS f(f, o) "
    "ON f.o = m.o WHERE m.o <= " MCV_MAX " AND (f.f >= " MCV_FREQ " "
    "OR s.distinct_estimate <= " MCV_DISTINCT ")) AS common_values, "
    "CASE WHEN b.oid IN (20, 21, 23, 700, 701, 1700, 1082, 1083, 1114, "
    "1184, 1186, 1266) THEN (WITH src AS (SELECT array_to_json(l.h) AS h, "
    "array_to_json(l.m) AS m FROM leaf l WHERE l.attname = a.attname "
    "UNION ALL SELECT array_to_json(s.histogram_bounds), "
    "array_to_json(s.most_common_vals) WHERE NOT EXISTS "
    "(SELECT 1 FROM leaf l WHERE l.attname = a.attname)) "
    "SELECT json_build_object("
    "'low', (array_agg(x.v ORDER BY x.n, x.f, x.t, x.tm, x.tz, x.i))[1], "
    "'high', (array_agg(x.v ORDER BY x.n DESC NULLS LAST, "
    "x.f DESC NULLS LAST, x.t DESC NULLS LAST, x.tm DESC NULLS LAST, "
    "x.tz DESC NULLS LAST, x.i DESC NULLS LAST))[1]) "
    "FROM (SELECT v, "
    "CASE WHEN b.oid IN (20, 21, 23, 1700) THEN (v #>> '{}')::numeric END "
    "AS n, "
    "CASE WHEN b.oid IN (700, 701) THEN (v #>> '{}')::float8 END AS f, "
    "CASE WHEN b.oid IN (1082, 1114, 1184) "
    "THEN (v #>> '{}')::timestamptz END AS t, "
    "CASE WHEN b.oid = 1083 THEN (v #>> '{}')::time END AS tm, "
    "CASE WHEN b.oid = 1266 THEN (v #>> '{}')::timetz END AS tz, "
    "CASE WHEN b.oid = 1186 THEN (v #>> '{}')::interval END AS i "
    "FROM (SELECT src.h -> 0 FROM src UNION ALL SELECT src.h -> -1 FROM src "
    "UNION ALL SELECT json_array_elements(src.m) FROM src) AS e(v) "
    "WHERE v IS NOT NULL) x HAVING count(*) > 0) END AS range_estimate "
    "FROM r JOIN pg_attribute a ON a.attrelid = r.oid "
    "JOIN pg_type t ON t.oid = a.atttypid "
    "JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' "
    "THEN t.typbasetype ELSE t.oid END "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "LEFT JOIN LATERAL (SELECT s.null_frac, s.most_common_vals, "
    "s.most_common_freqs, s.histogram_bounds, "
    "CASE WHEN s.n_distinct >= 0 THEN s.n_distinct::bigint "
    "ELSE round(-s.n_distinct * r.est)::bigint END AS distinct_estimate "
    "FROM pg_stats s WHERE s.schemaname = $1 "
    "AND s.tablename = $2 AND s.attname = a.attname "
    "ORDER BY s.inherited DESC LIMIT 1) s ON true "
    "WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/*
 * The indexes: each key column's name or expression, and the predicate
 * of a partial index (the sixth member, left out when NULL).
 */
static const char sql_indexes[] =
    "SELECT ic.relname AS name, "
    "(SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ORDER BY k) "
    "FROM generate_series(1, i.indnkeyatts) AS k) AS columns, "
    "i.indisunique AS unique, i.indisprimary AS primary, "
    "am.amname AS method, "
    "pg_get_expr(i.indpred, i.indrelid, true) AS predicate "
    "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
    "JOIN pg_am am ON am.oid = ic.relam "
    "WHERE i.indrelid = " REL_OID " "
    "ORDER BY i.indisprimary DESC, ic.relname";

/* This relation's foreign keys: our columns, the table and its columns. */
static const char sql_references[] =
    "SELECT " ATTNAMES("f.conrelid", "f.conkey") " AS columns, "
    "format('%I.%I', n.nspname, c.relname) AS table, "
    ATTNAMES("f.confrelid", "f.confkey") " AS table_columns, "
    "f.conname AS constraint "
    "FROM pg_constraint f JOIN pg_class c ON c.oid = f.confrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE f.contype = 'f' AND f.conrelid = " REL_OID " "
    "ORDER BY f.conname";

/*
 * The foreign keys of readable tables ($3) that point here: the table,
 * its columns, our columns.  A partitioned table's keys once, not again
 * for each partition.
 */
static const char sql_referenced_by[] =
    "SELECT format('%I.%I', n.nspname, c.relname) AS table, "
    ATTNAMES("f.conrelid", "f.conkey") " AS table_columns, "
    ATTNAMES("f.confrelid", "f.confkey") " AS columns, "
    "f.conname AS constraint "
    "FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE f.contype = 'f' AND f.confrelid = " REL_OID " "
    "AND f.conparentid = 0 AND n.nspname = ANY ($3::text[]) "
    "ORDER BY 1, f.conname";

static const char sql_definition[] =
    "SELECT pg_get_viewdef(" REL_OID ", true) AS definition";

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

/* Members of describe's column and index objects that are always there. */
#define FIXED_MEMBERS	5

/* Bytes of the budget left, the structuredContent so far counted. */
static size_t
budget_left(const struct job *job)
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
static enum step_next
write_objects(struct job *job, const PGresult *res, int fixed)
{
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
		if (obj.len + 1 > budget_left(job)) {
			job->truncated = TRUNC_BYTES;
			break;
		}
		jw_raw(&job->out, obj.buf, obj.len);
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
	return write_objects(job, vres, PQnfields(vres));
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

/*
 * With the TimescaleDB catalog there, the next step (the listing or the
 * relation) becomes its variant that marks hypertables.
 */
static enum step_next
cb_probe(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct step	*next = &job->steps[job->cur + 1];
	char		*sql;

	(void)conn;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		return STEP_NEXT;
	sql = strdup(strcmp(next->sql, sql_tables) == 0 ? sql_tables_ts :
	    sql_describe_ts);
	if (sql == NULL) {
		job->failed = true;
		err_set(&job->err, 0, "out of memory");
		return STEP_FAIL;
	}
	free(next->sql);
	next->sql = sql;
	return STEP_NEXT;
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
	err_set(&job->err, 0, "no table or view \"%s\" in schema \"%s\"; "
	    "it has: %s", table, schema, PQgetisnull(res, 0, ex) ?
	    "no tables or views" : PQgetvalue(res, 0, ex));
	return false;
}

/*
 * A view's definition, cut (on a character boundary) where the byte
 * budget ends, which truncated then says.
 */
static enum step_next
cb_definition(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct jw	 s;
	const char	*text;
	size_t		 len, left, key = sizeof("\"definition\":");

	(void)conn;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		return STEP_NEXT;
	text = PQgetvalue(res, 0, 0);
	len = (size_t)PQgetlength(res, 0, 0);
	left = budget_left(job);
	left = left > key ? left - key : 0;
	jw_init(&s);
	for (;;) {
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
		jw_reset(&s);
		jw_strn(&s, text, len);
		if (s.failed || s.len <= left || len == 0)
			break;
		job->truncated = TRUNC_BYTES;
		len -= s.len - left < len ? s.len - left : len;
	}
	if (!s.failed && len > 0) {
		jw_key(&job->out, "definition");
		jw_raw(&job->out, s.buf, s.len);
	}
	jw_free(&s);
	return STEP_NEXT;
}

/*
 * describe_table: the relation's facts; a view's definition becomes the
 * last step.
 */
static enum step_next
cb_relation(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	const char	*kind;
	struct step	*st = &job->steps[job->cur];
	int		 c, ex = PQfnumber(res, "existing");

	(void)conn;
	if (!catalog_relation_found(job, res))
		return STEP_FAIL;
	for (c = 1; c < ex; c++) {
		jw_key(&job->out, PQfname(res, c));
		pgv_write(&job->out, PQftype(res, c), PQgetvalue(res, 0, c),
		    (size_t)PQgetlength(res, 0, c), PQgetisnull(res, 0, c));
	}
	kind = PQgetvalue(res, 0, PQfnumber(res, "kind"));
	if ((strcmp(kind, "view") == 0 ||
	    strcmp(kind, "materialized view") == 0) &&
	    job_add(job, sql_definition, cb_definition, 2, st->params[0],
	    st->params[1]) == -1) {
		job->failed = true;
		err_set(&job->err, 0, "out of memory");
		return STEP_FAIL;
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
		rc = job_add(job, sql_probe, cb_probe, 0);
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

/* A listing step of describe_table under the key it writes. */
static enum step_next
cb_list_key(struct job *job, const char *key, const void *vres, int fixed)
{
	job->list_key = key;
	return write_objects(job, vres, fixed);
}

static enum step_next
cb_columns(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return cb_list_key(job, "columns", vres, FIXED_MEMBERS);
}

static enum step_next
cb_indexes(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return cb_list_key(job, "indexes", vres, FIXED_MEMBERS);
}

static enum step_next
cb_references(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return cb_list_key(job, "references", vres, PQnfields(vres));
}

static enum step_next
cb_referenced_by(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return cb_list_key(job, "referenced_by", vres, PQnfields(vres));
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
	jw_kstr(&job->out, "schema", schema);
	jw_kstr(&job->out, "table", table);
	/* cb_probe may swap in the relation step that marks hypertables. */
	rc = job_add(job, sql_probe, cb_probe, 0);
	if (rc == 0)
		rc = job_add(job, sql_describe, cb_relation, 2, schema, table);
	if (rc == 0)
		rc = job_add(job, sql_columns, cb_columns, 2, schema, table);
	if (rc == 0)
		rc = job_add(job, sql_indexes, cb_indexes, 2, schema, table);
	if (rc == 0)
		rc = job_add(job, sql_references, cb_references, 2, schema,
		    table);
	if (rc == 0)
		rc = job_add(job, sql_referenced_by, cb_referenced_by, 3,
		    schema, table, cfg->schemas_array);
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
