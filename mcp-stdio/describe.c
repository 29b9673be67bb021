/*
 * describe_table: one relation's facts, its columns with what pg_stats
 * knows of them, its indexes, its foreign keys both ways and, for a view,
 * its definition: from the catalog and the planner's statistics only
 * (estimates as of the last ANALYZE, never a scan), within the byte
 * budget (catalog.c writes the objects).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

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

/* Members of describe's column and index objects that are always there. */
#define FIXED_MEMBERS	5

/* With the TimescaleDB catalog there, the facts say hypertable too. */
static enum step_next
cb_describe_probe(struct job *job, void *conn, const void *vres)
{
	(void)conn;
	return catalog_use_variant(job, vres, sql_describe_ts) ? STEP_NEXT :
	    STEP_FAIL;
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
	left = catalog_budget_left(job);
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
		jw_copy(&job->out, &s);
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

/* A listing step of describe_table under the key it writes. */
static enum step_next
cb_list_key(struct job *job, const char *key, const void *vres, int fixed)
{
	job->list_key = key;
	return catalog_objects(job, vres, fixed);
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
describe_table(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	char	*schema, *table;
	int	 rc;

	if (arg_relation(a, cfg, &schema, &table, err) == -1)
		return -1;
	rc = describe_steps(job, schema, table, cfg);
	free(schema);
	free(table);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}

int
describe_steps(struct job *job, const char *schema, const char *table,
    const struct config *cfg)
{
	int	 rc;

	job->finish = catalog_finish;
	jw_kstr(&job->out, "schema", schema);
	jw_kstr(&job->out, "table", table);
	/* cb_describe_probe may swap in the step that marks hypertables. */
	rc = job_add(job, catalog_sql_probe, cb_describe_probe, 0);
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
	return rc;
}
