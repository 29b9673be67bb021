/*
 * The six tools: their descriptions, argument checks, the statements they
 * run and the results they return.
 *
 * A tool call becomes a job (a list of statements, see db.c) whose step
 * callbacks write the result.  Two result shapes exist:
 *   - row sets (query, sample_table): columns once, rows as arrays, with
 *     row and byte caps that cut whole rows and say so;
 *   - catalog listings (the rest): objects, built by the callbacks.
 * A failure the model can act on (bad argument, guard rejection, SQL
 * error, database down) is an isError result, never a JSON-RPC error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define CURSOR		"analytics_mcp_cursor"

/* The user's statement runs as this prefix + statement + "\n". */
static const char sql_declare[] = "DECLARE " CURSOR " NO SCROLL CURSOR FOR ";
/* No row, but the columns: their names and types count first. */
static const char sql_describe[] = "FETCH FORWARD 0 FROM " CURSOR;
/* The first FETCH takes one row; later ones as many as fit (fetch_sql). */
static const char sql_fetch_first[] = "FETCH FORWARD 1 FROM " CURSOR;
static const char sql_typnames[] =
    "SELECT format_type(t, m) FROM unnest($1::oid[], $2::int[]) "
    "WITH ORDINALITY AS u(t, m, i) ORDER BY i";

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
static const char sql_relation[] =
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

/* ---- argument checking ------------------------------------------------ */

struct args {
	struct rpc_req	*req;
	int		 obj;		/* the arguments object, or -1 */
};

/* A string argument; *out is NULL when absent and not required. */
static int
arg_str(struct args *a, const char *name, bool required, size_t maxlen,
    char **out, struct error *err)
{
	int	 t;

	*out = NULL;
	t = json_member(&a->req->doc, a->obj, name);
	if (t == -1) {
		if (required)
			return err_set(err, 0, "missing argument \"%s\"",
			    name);
		return 0;
	}
	if (json_type(&a->req->doc, t) != JSON_STRING ||
	    (*out = json_strdup(&a->req->doc, t)) == NULL)
		return err_set(err, 0, "argument \"%s\" must be a string "
		    "without NUL characters", name);
	if (strlen(*out) > maxlen) {
		free(*out);
		*out = NULL;
		return err_set(err, 0, "argument \"%s\" is longer than %zu "
		    "bytes", name, maxlen);
	}
	return 0;
}

/* An integer argument within [min, max], or def when absent. */
static int
arg_int(struct args *a, const char *name, long long def, long long min,
    long long max, long long *out, struct error *err)
{
	int	 t;

	*out = def;
	t = json_member(&a->req->doc, a->obj, name);
	if (t == -1)
		return 0;
	if (json_int(&a->req->doc, t, min, max, out) == -1) {
		if (max == INT64_MAX)
			return err_set(err, 0, "argument \"%s\" must be an "
			    "integer of at least %lld", name, min);
		return err_set(err, 0, "argument \"%s\" must be an integer "
		    "from %lld to %lld", name, min, max);
	}
	return 0;
}

/* names as "a, b, c" in buf, for messages. */
static void
name_list(char *buf, size_t bufsz, const char *const *names)
{
	size_t	 i;

	strlcpy(buf, names[0] == NULL ? "no arguments" : "", bufsz);
	for (i = 0; names[i] != NULL; i++) {
		if (i > 0)
			strlcat(buf, ", ", bufsz);
		strlcat(buf, names[i], bufsz);
	}
}

/* Refuse argument names the tool does not take (a typo, say). */
static int
arg_known(struct args *a, const char *tool, const char *const *names,
    struct error *err)
{
	const struct json_doc *doc = &a->req->doc;
	char		 list[256], *key;
	int		 i, k;
	size_t		 j;

	if (a->obj == -1)
		return 0;
	for (i = 0; i < json_size(doc, a->obj); i++) {
		k = json_child(doc, a->obj, i);
		for (j = 0; names[j] != NULL; j++)
			if (json_streq(doc, k, names[j]))
				break;
		if (names[j] != NULL)
			continue;
		name_list(list, sizeof(list), names);
		key = json_strdup(doc, k);
		err_set(err, 0, "unknown argument \"%.64s\"; %s takes: %s",
		    key != NULL ? key : "?", tool, list);
		free(key);
		return -1;
	}
	return 0;
}

/* A schema argument: one of the readable schemas, else name them. */
static int
arg_schema(struct args *a, const struct config *cfg, const char *def,
    char **out, struct error *err)
{
	size_t	 i;
	char	 list[SCHEMAS_MAX * (NAME_MAX_BYTES + 2)] = "";

	if (arg_str(a, "schema", def == NULL, NAME_MAX_BYTES, out, err) == -1)
		return -1;
	if (*out == NULL && (*out = strdup(def)) == NULL)
		return err_set(err, 0, "out of memory");
	for (i = 0; i < cfg->nschemas; i++)
		if (strcmp(*out, cfg->schemas[i]) == 0)
			return 0;
	for (i = 0; i < cfg->nschemas; i++) {
		if (i > 0)
			strlcat(list, ", ", sizeof(list));
		strlcat(list, cfg->schemas[i], sizeof(list));
	}
	err_set(err, 0, "schema \"%s\" is not readable here; the readable "
	    "schemas are: %s", *out, list);
	free(*out);
	*out = NULL;
	return -1;
}

/* ---- jobs ------------------------------------------------------------- */

int
job_add(struct job *job, const char *sql, step_cb cb, int nparams, ...)
{
	struct step	*st;
	va_list		 ap;
	const char	*p;
	int		 i;

	if (job->nsteps >= JOB_STEPS_MAX || nparams > STEP_PARAMS_MAX)
		return -1;
	st = &job->steps[job->nsteps++];
	st->cb = cb;
	if (sql != NULL && (st->sql = strdup(sql)) == NULL)
		return -1;
	va_start(ap, nparams);
	for (i = 0; i < nparams; i++) {
		p = va_arg(ap, const char *);
		if ((st->params[i] = strdup(p)) == NULL) {
			va_end(ap);
			return -1;
		}
		st->nparams = i + 1;
	}
	va_end(ap);
	return 0;
}

void
job_free(struct job *job)
{
	int	 i, j;

	if (job == NULL)
		return;
	for (i = 0; i < job->nsteps; i++) {
		free(job->steps[i].sql);
		for (j = 0; j < job->steps[i].nparams; j++)
			free(job->steps[i].params[j]);
	}
	for (i = 0; i < job->ncols; i++) {
		free(job->colnames[i]);
		if (job->typnames != NULL)
			free(job->typnames[i]);
	}
	free(job->colnames);
	free(job->typnames);
	free(job->coltypes);
	free(job->coltypmods);
	free(job->tool);
	free(job->sql);
	jw_free(&job->out);
	jw_free(&job->rowbuf);
	jw_free(&job->cols);
	jw_free(&job->notes);
	rpc_free(job->req);
	free(job->req);
	free(job);
}

void
job_note(struct job *job, const char *severity, const char *text)
{
	char	 buf[NOTE_BYTES_MAX];
	size_t	 n;

	if (job->nnotes >= NOTES_MAX)
		return;
	snprintf(buf, sizeof(buf), "%s: %s", severity, text);
	/* A cut never splits a UTF-8 character. */
	n = strlen(buf);
	if (n == sizeof(buf) - 1)
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			buf[n--] = '\0';
	if (job->nnotes++ == 0)
		jw_arr_open(&job->notes);
	jw_str(&job->notes, buf);
}

/* ---- step callbacks --------------------------------------------------- */

/* Remember the result's columns (names, types) the first time. */
static int
rows_columns(struct job *job, const PGresult *res)
{
	int	 i, n = PQnfields(res);

	if (job->colnames != NULL || n == 0)
		return 0;
	job->colnames = calloc((size_t)n, sizeof(*job->colnames));
	job->coltypes = calloc((size_t)n, sizeof(*job->coltypes));
	job->coltypmods = calloc((size_t)n, sizeof(*job->coltypmods));
	if (job->colnames == NULL || job->coltypes == NULL ||
	    job->coltypmods == NULL)
		return -1;
	job->ncols = n;
	for (i = 0; i < n; i++) {
		if ((job->colnames[i] = strdup(PQfname(res, i))) == NULL)
			return -1;
		job->coltypes[i] = PQftype(res, i);
		job->coltypmods[i] = PQfmod(res, i);
	}
	return 0;
}

/* Bytes of the budget the rows may still use. */
static size_t
rows_room(const struct job *job)
{
	size_t	 used = job->cols_bytes + job->rowbuf.len + 1;

	return (size_t)job->max_bytes > used ? (size_t)job->max_bytes - used :
	    0;
}

/*
 * The next FETCH: as many rows as are still wanted (one more proves
 * truncation), at most FETCH_BATCH, and no more than the rest of the byte
 * budget holds at the widest row seen so far.  libpq holds a whole FETCH
 * result in memory, so this bounds memory by the budget, not by the rows.
 */
static int
fetch_sql(struct job *job, struct step *st)
{
	long long	 n;
	size_t		 fit;
	char		*sql;

	n = job->row_limit - job->nrows + 1;
	if (n > FETCH_BATCH)
		n = FETCH_BATCH;
	fit = rows_room(job) / (job->widest_row > 0 ? job->widest_row : 1) + 1;
	if ((size_t)n > fit)
		n = (long long)fit;
	if (asprintf(&sql, "FETCH FORWARD %lld FROM " CURSOR, n) == -1)
		return -1;
	free(st->sql);
	st->sql = sql;
	return 0;
}

/*
 * Append the rows of one FETCH as arrays until the row limit (one more
 * row than wanted proves truncation) or the byte budget is reached; say
 * whether to FETCH again.  A row is encoded under the budget's limit, so
 * a value larger than what is left is never encoded whole.
 */
static enum step_next
fetch_rows(struct job *job, const PGresult *res)
{
	struct jw	 row;
	size_t		 width;
	int		 r, c, n, nf;

	n = PQntuples(res);
	nf = PQnfields(res);
	jw_init(&row);
	for (r = 0; r < n; r++) {
		if (job->nrows >= job->row_limit) {
			job->truncated = TRUNC_ROWS;
			break;
		}
		for (c = 0, width = (size_t)nf; c < nf; c++)
			width += (size_t)PQgetlength(res, r, c);
		if (width > job->widest_row)
			job->widest_row = width;
		jw_reset(&row);
		jw_limit(&row, rows_room(job));
		jw_arr_open(&row);
		for (c = 0; c < nf; c++)
			pgv_write(&row, PQftype(res, c), PQgetvalue(res, r, c),
			    (size_t)PQgetlength(res, r, c),
			    PQgetisnull(res, r, c));
		jw_arr_close(&row);
		if (row.failed || rows_room(job) == 0) {
			job->truncated = TRUNC_BYTES;
			break;
		}
		jw_raw(&job->rowbuf, row.buf, row.len);
		job->nrows++;
	}
	jw_free(&row);
	job->elapsed_ms = now_ms() - job->started_ms;
	if (job->truncated != TRUNC_NONE || n == 0)
		return STEP_NEXT;
	return STEP_AGAIN;
}

/*
 * Write the parameters of sql_typnames (two array literals of the
 * remembered column type oids and modifiers) into the next step.
 */
static int
typnames_params(struct job *job)
{
	struct step	*st = &job->steps[job->cur + 1];
	char		*oids, *mods;
	size_t		 size, o = 0, m = 0;
	int		 i;

	size = (size_t)job->ncols * 12 + 3;
	oids = malloc(size);
	mods = malloc(size);
	if (oids == NULL || mods == NULL) {
		free(oids);
		free(mods);
		return -1;
	}
	oids[o++] = '{';
	mods[m++] = '{';
	for (i = 0; i < job->ncols; i++) {
		o += (size_t)snprintf(oids + o, size - o, "%s%u",
		    i > 0 ? "," : "", job->coltypes[i]);
		m += (size_t)snprintf(mods + m, size - m, "%s%d",
		    i > 0 ? "," : "", job->coltypmods[i]);
	}
	snprintf(oids + o, size - o, "}");
	snprintf(mods + m, size - m, "}");
	st->params[0] = oids;		/* the step owns them now */
	st->params[1] = mods;
	st->nparams = 2;
	return 0;
}

/* FETCH 0: the columns, then the type-name lookup's parameters. */
static enum step_next
cb_describe(struct job *job, void *conn, const void *res)
{
	(void)conn;
	if (rows_columns(job, res) == -1 || typnames_params(job) == -1) {
		job->failed = true;
		err_set(&job->err, 0, "out of memory");
		return STEP_FAIL;
	}
	return STEP_NEXT;
}

/* A FETCH result: its rows, then the size of the next FETCH. */
static enum step_next
cb_fetch(struct job *job, void *conn, const void *res)
{
	enum step_next	 next;

	(void)conn;
	next = fetch_rows(job, res);
	if (next == STEP_AGAIN && fetch_sql(job, &job->steps[job->cur]) == -1) {
		job->failed = true;
		err_set(&job->err, 0, "out of memory");
		return STEP_FAIL;
	}
	return next;
}

/*
 * The columns as the result will show them (name and type); their bytes
 * count against the budget before any row.
 */
static int
rows_encode_columns(struct job *job)
{
	struct jw	*w = &job->cols;
	int		 i;

	jw_arr_open(w);
	for (i = 0; i < job->ncols; i++) {
		jw_obj_open(w);
		jw_kstr(w, "name", job->colnames[i]);
		jw_kstr(w, "type", job->typnames != NULL &&
		    job->typnames[i] != NULL ? job->typnames[i] : "unknown");
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (w->failed)
		return err_set(&job->err, 0, "out of memory");
	job->cols_bytes = w->len + sizeof("\"columns\":,\"rows\":[]");
	if (job->cols_bytes >= (size_t)job->max_bytes)
		return err_set(&job->err, 0, "the result's %d column names "
		    "and types alone take %zu bytes, more than the output "
		    "budget of %lld bytes; select fewer columns or give them "
		    "shorter aliases", job->ncols, job->cols_bytes,
		    job->max_bytes);
	return 0;
}

/* The column type names, in column order; then the columns' bytes. */
static enum step_next
cb_typnames(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	int		 i;

	(void)conn;
	if (job->ncols > 0 && PQntuples(res) == job->ncols &&
	    (job->typnames = calloc((size_t)job->ncols,
	    sizeof(*job->typnames))) != NULL)
		for (i = 0; i < job->ncols; i++)
			job->typnames[i] = strdup(PQgetvalue(res, i, 0));
	if (rows_encode_columns(job) == -1) {
		job->failed = true;
		return STEP_FAIL;
	}
	return STEP_NEXT;
}

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
 * The relation lookup of describe_table and sample_table: fail naming
 * what exists, or (describe) write the relation's facts, or (sample)
 * write the SELECT of the next step from the server-quoted name.
 */
static enum step_next
cb_relation(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct step	*next = &job->steps[job->cur + 1];
	const char	*schema = job->steps[job->cur].params[0];
	const char	*table = job->steps[job->cur].params[1];
	size_t		 len;
	int		 c;

	(void)conn;
	if (PQntuples(res) != 1)
		return STEP_FAIL;
	if (PQgetisnull(res, 0, 0)) {
		job->failed = true;
		err_set(&job->err, 0, "no table or view \"%s\" in schema "
		    "\"%s\"; it has: %s", table, schema,
		    PQgetisnull(res, 0, 5) ? "no tables or views" :
		    PQgetvalue(res, 0, 5));
		return STEP_FAIL;
	}
	if (job->tool_kind == TOOL_SAMPLE) {
		free(job->sql);
		len = sizeof("SELECT * FROM ") + (size_t)PQgetlength(res, 0, 0);
		if ((job->sql = malloc(len)) == NULL)
			return STEP_FAIL;
		snprintf(job->sql, len, "SELECT * FROM %s",
		    PQgetvalue(res, 0, 0));
		len = strlen(sql_declare) + strlen(job->sql) + 2;
		if ((next->sql = malloc(len)) == NULL)
			return STEP_FAIL;
		snprintf(next->sql, len, "%s%s\n", sql_declare, job->sql);
		return STEP_NEXT;
	}
	for (c = 1; c < 5; c++) {
		jw_key(&job->out, PQfname(res, c));
		pgv_write(&job->out, PQftype(res, c), PQgetvalue(res, 0, c),
		    (size_t)PQgetlength(res, 0, c), PQgetisnull(res, 0, c));
	}
	return STEP_NEXT;
}

/* ---- the tools -------------------------------------------------------- */

static int	prep_query(struct job *, struct args *, const struct config *,
		    struct error *);
static int	prep_schemas(struct job *, struct args *,
		    const struct config *, struct error *);
static int	prep_tables(struct job *, struct args *, const struct config *,
		    struct error *);
static int	prep_describe(struct job *, struct args *,
		    const struct config *, struct error *);
static int	prep_functions(struct job *, struct args *,
		    const struct config *, struct error *);
static int	prep_sample(struct job *, struct args *, const struct config *,
		    struct error *);

#define ANNOTATIONS	"{\"readOnlyHint\":true,\"openWorldHint\":false}"
#define ROWSET_SCHEMA \
    "{\"type\":\"object\",\"properties\":{" \
    "\"columns\":{\"type\":\"array\",\"items\":{\"type\":\"object\"," \
    "\"properties\":{\"name\":{\"type\":\"string\"}," \
    "\"type\":{\"type\":\"string\"}},\"required\":[\"name\",\"type\"]}}," \
    "\"rows\":{\"type\":\"array\",\"items\":{\"type\":\"array\"}}," \
    "\"row_count\":{\"type\":\"integer\"}," \
    "\"truncated\":{\"type\":\"boolean\"}," \
    "\"elapsed_ms\":{\"type\":\"integer\"}," \
    "\"note\":{\"type\":\"string\"}," \
    "\"notices\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}," \
    "\"required\":[\"columns\",\"rows\",\"row_count\",\"truncated\"," \
    "\"elapsed_ms\"]}"
#define SCHEMA_ARG \
    "\"schema\":{\"type\":\"string\",\"description\":" \
    "\"One of the readable schemas (see list_schemas).\"}"
#define TABLE_ARG \
    "\"table\":{\"type\":\"string\",\"description\":" \
    "\"Table or view name, unquoted, as list_tables shows it.\"}"
#define LIST_SCHEMA(key, item) \
    "{\"type\":\"object\",\"properties\":{" \
    "\"schema\":{\"type\":\"string\"}," \
    "\"" key "\":{\"type\":\"array\",\"items\":" item "}," \
    "\"truncated\":{\"type\":\"boolean\"}}," \
    "\"required\":[\"" key "\",\"truncated\"]}"

static const struct tool {
	const char	*name;
	enum tool_kind	 kind;
	const char	*title;
	const char	*description;
	const char	*input;		/* JSON Schema */
	const char	*output;	/* JSON Schema */
	const char *const *args;
	int		(*prep)(struct job *, struct args *,
			    const struct config *, struct error *);
} tools[] = {
	{ "query", TOOL_QUERY, "Run a read-only SQL query",
	  "Run one read-only SQL statement (SELECT, WITH, VALUES or TABLE) "
	  "against the fleet database and return the rows. Readable schemas: "
	  "see list_schemas. The statement runs in a read-only transaction "
	  "that is rolled back, with a statement timeout; writes, DDL, "
	  "several statements and session-changing functions are refused. "
	  "Results are compact: columns (name, PostgreSQL type) once, then "
	  "rows as arrays. At most max_rows rows are returned (default 1000) "
	  "and the output is cut at a size budget; truncated=true says so. "
	  "Aggregate in SQL and select only the columns you need. Do not add "
	  "a LIMIT just for the row cap: max_rows does that.",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"sql\":{\"type\":\"string\",\"description\":"
	  "\"One SELECT/WITH/VALUES/TABLE statement.\"},"
	  "\"max_rows\":{\"type\":\"integer\",\"minimum\":1,\"default\":1000,"
	  "\"description\":\"Rows to return at most.\"}},"
	  "\"required\":[\"sql\"],\"additionalProperties\":false}",
	  ROWSET_SCHEMA,
	  (const char *const[]){ "sql", "max_rows", NULL }, prep_query },
	{ "list_schemas", TOOL_CATALOG, "List readable schemas",
	  "List the schemas this server can read, with their comments and "
	  "how many tables, views, materialized views and functions each "
	  "has. Start here.",
	  "{\"type\":\"object\",\"properties\":{},"
	  "\"additionalProperties\":false}",
	  LIST_SCHEMA("schemas", "{\"type\":\"object\"}"),
	  (const char *const[]){ NULL }, prep_schemas },
	{ "list_tables", TOOL_CATALOG, "List tables and views",
	  "List the tables, views, materialized views and foreign tables of "
	  "one readable schema, with comments and estimated row counts.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "},"
	  "\"required\":[\"schema\"],\"additionalProperties\":false}",
	  LIST_SCHEMA("tables", "{\"type\":\"object\"}"),
	  (const char *const[]){ "schema", NULL }, prep_tables },
	{ "describe_table", TOOL_CATALOG, "Describe a table or view",
	  "Describe one table, view or materialized view: its kind, comment, "
	  "estimated rows, primary key, and each column's type, nullability, "
	  "default and comment.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "," TABLE_ARG "},"
	  "\"required\":[\"schema\",\"table\"],\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"schema\":{\"type\":\"string\"},\"table\":{\"type\":\"string\"},"
	  "\"kind\":{\"type\":\"string\"},"
	  "\"comment\":{\"type\":[\"string\",\"null\"]},"
	  "\"estimated_rows\":{\"type\":[\"integer\",\"null\"]},"
	  "\"primary_key\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	  "\"columns\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	  "\"truncated\":{\"type\":\"boolean\"}},"
	  "\"required\":[\"schema\",\"table\",\"kind\",\"columns\","
	  "\"truncated\"]}",
	  (const char *const[]){ "schema", "table", NULL }, prep_describe },
	{ "list_functions", TOOL_CATALOG, "List functions",
	  "List the functions of a readable schema (default: reporting) with "
	  "their arguments, return types, volatility and comments. Call them "
	  "from the query tool, e.g. SELECT * FROM reporting.fn_x(...).",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"schema\":{\"type\":\"string\",\"default\":\"reporting\","
	  "\"description\":\"One of the readable schemas.\"}},"
	  "\"additionalProperties\":false}",
	  LIST_SCHEMA("functions", "{\"type\":\"object\"}"),
	  (const char *const[]){ "schema", NULL }, prep_functions },
	{ "sample_table", TOOL_SAMPLE, "Sample rows of a table",
	  "Return the first n rows (default 20) of a table or view, to see "
	  "what its data looks like. Same result shape as query.",
	  "{\"type\":\"object\",\"properties\":{" SCHEMA_ARG "," TABLE_ARG ","
	  "\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":"
	  STR(SAMPLE_MAX) ",\"default\":" STR(SAMPLE_DEFAULT) "}},"
	  "\"required\":[\"schema\",\"table\"],\"additionalProperties\":false}",
	  ROWSET_SCHEMA,
	  (const char *const[]){ "schema", "table", "n", NULL }, prep_sample },
};

#define NTOOLS	(sizeof(tools) / sizeof(tools[0]))

void
tool_list(struct jw *w)
{
	size_t	 i;

	jw_obj_open(w);
	jw_key(w, "tools");
	jw_arr_open(w);
	for (i = 0; i < NTOOLS; i++) {
		jw_obj_open(w);
		jw_kstr(w, "name", tools[i].name);
		if (mcp_proto() >= PROTO_2025_06_18)
			jw_kstr(w, "title", tools[i].title);
		jw_kstr(w, "description", tools[i].description);
		jw_key(w, "inputSchema");
		jw_raw(w, tools[i].input, strlen(tools[i].input));
		if (mcp_proto() >= PROTO_2025_06_18) {
			jw_key(w, "outputSchema");
			jw_raw(w, tools[i].output, strlen(tools[i].output));
		}
		if (mcp_proto() >= PROTO_2025_03_26) {
			jw_key(w, "annotations");
			jw_raw(w, ANNOTATIONS, strlen(ANNOTATIONS));
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/*
 * The statements shared by query and sample_table after the DECLARE: the
 * columns and their type names first, then the rows.
 */
static int
add_fetch_steps(struct job *job)
{
	jw_arr_open(&job->rowbuf);
	if (job_add(job, sql_describe, cb_describe, 0) == -1 ||
	    job_add(job, sql_typnames, cb_typnames, 0) == -1 ||
	    job_add(job, sql_fetch_first, cb_fetch, 0) == -1)
		return -1;
	return 0;
}

static int
prep_query(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	char		*sql, *stmt;
	char		 why[ERRMSG_MAX];
	size_t		 len, n;
	long long	 max_rows;

	if (arg_str(a, "sql", true, cfg->max_line, &job->sql, err) == -1 ||
	    arg_int(a, "max_rows", ROWS_DEFAULT, 1, INT64_MAX, &max_rows,
	    err) == -1)
		return -1;
	job->row_limit = max_rows < cfg->max_rows ? max_rows : cfg->max_rows;
	job->row_ceiling_hit = max_rows > cfg->max_rows;
	sql = job->sql;
	if (guard_check(sql, strlen(sql), &len, why, sizeof(why)) == -1)
		return err_set(err, 0, "query rejected: %s", why);

	/* DECLARE ... FOR <statement>\n: a trailing -- comment stays one. */
	n = strlen(sql_declare) + len + 2;
	if ((stmt = malloc(n)) == NULL)
		return err_set(err, 0, "out of memory");
	memcpy(stmt, sql_declare, strlen(sql_declare));
	memcpy(stmt + strlen(sql_declare), sql, len);
	stmt[n - 2] = '\n';
	stmt[n - 1] = '\0';
	job->user_step = job->nsteps;
	job->user_prefix = strlen(sql_declare);
	if (job_add(job, NULL, NULL, 0) == -1) {
		free(stmt);
		return err_set(err, 0, "out of memory");
	}
	job->steps[job->user_step].sql = stmt;
	if (add_fetch_steps(job) == -1)
		return err_set(err, 0, "out of memory");
	return 0;
}

static int
prep_schemas(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	(void)a;
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
	job->list_key = key;
	jw_kstr(&job->out, "schema", schema);
	rc = job_add(job, sql, cb_objects, 1, schema);
	free(schema);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}

static int
prep_tables(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	return prep_listing(job, a, cfg, NULL, "tables", sql_tables, err);
}

/* schema and table arguments; the table is looked up in the catalog. */
static int
arg_relation(struct args *a, const struct config *cfg, char **schema,
    char **table, struct error *err)
{
	*table = NULL;
	if (arg_schema(a, cfg, NULL, schema, err) == -1)
		return -1;
	if (arg_str(a, "table", true, NAME_MAX_BYTES, table, err) == -1) {
		free(*schema);
		*schema = NULL;
		return -1;
	}
	return 0;
}

static int
prep_describe(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	char	*schema, *table;
	int	 rc;

	if (arg_relation(a, cfg, &schema, &table, err) == -1)
		return -1;
	job->list_key = "columns";
	jw_kstr(&job->out, "schema", schema);
	jw_kstr(&job->out, "table", table);
	rc = job_add(job, sql_relation, cb_relation, 2, schema, table);
	if (rc == 0)
		rc = job_add(job, sql_columns, cb_objects, 2, schema, table);
	free(schema);
	free(table);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}

static int
prep_functions(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	return prep_listing(job, a, cfg, "reporting", "functions",
	    sql_functions, err);
}

static int
prep_sample(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	char		*schema, *table;
	long long	 n;
	int		 rc;

	if (arg_int(a, "n", SAMPLE_DEFAULT, 1, SAMPLE_MAX, &n, err) == -1 ||
	    arg_relation(a, cfg, &schema, &table, err) == -1)
		return -1;
	job->row_limit = n < cfg->max_rows ? n : cfg->max_rows;
	rc = job_add(job, sql_relation, cb_relation, 2, schema, table);
	free(schema);
	free(table);
	/* cb_relation writes this step's DECLARE from the quoted name. */
	if (rc == 0)
		rc = job_add(job, NULL, NULL, 0);
	if (rc == 0)
		rc = add_fetch_steps(job);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}

int
tool_prepare(struct rpc_req *req, const struct config *cfg, struct job **jobp,
    struct error *err)
{
	const struct tool *t = NULL;
	struct job	*job;
	struct args	 a;
	int		 name;
	size_t		 i;

	*jobp = NULL;
	name = json_member(&req->doc, req->params, "name");
	for (i = 0; i < NTOOLS && t == NULL; i++)
		if (json_streq(&req->doc, name, tools[i].name))
			t = &tools[i];
	if (t == NULL) {
		const char	*names[NTOOLS + 1];
		char		 list[256];

		for (i = 0; i < NTOOLS; i++)
			names[i] = tools[i].name;
		names[NTOOLS] = NULL;
		name_list(list, sizeof(list), names);
		return err_set(err, RPC_INVALID_PARAMS, "unknown tool; the "
		    "tools are: %s", list);
	}

	if ((job = calloc(1, sizeof(*job))) == NULL ||
	    (job->tool = strdup(t->name)) == NULL) {
		free(job);
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	job->req = req;
	job->tool_kind = t->kind;
	job->row_limit = cfg->max_rows;
	job->max_bytes = cfg->max_bytes;
	job->user_step = -1;
	job->started_ms = now_ms();
	jw_init(&job->out);
	jw_init(&job->rowbuf);
	jw_init(&job->cols);
	jw_init(&job->notes);
	jw_obj_open(&job->out);
	*jobp = job;

	a.req = req;
	a.obj = json_member(&req->doc, req->params, "arguments");
	if (a.obj != -1 && json_type(&req->doc, a.obj) != JSON_OBJECT) {
		err_set(&job->err, 0, "\"arguments\" must be an object");
		job->failed = true;
		return 1;
	}
	if (arg_known(&a, t->name, t->args, &job->err) == -1 ||
	    t->prep(job, &a, cfg, &job->err) == -1) {
		job->failed = true;
		return 1;
	}
	return 0;
}

/*
 * Format a PostgreSQL error as psql would, so the model can act on it:
 * message and SQLSTATE, the offending line with a caret under the error
 * position (pos: 1-based character offset into job->sql, 0 for none),
 * then detail and hint.
 */
void
tool_pg_error(struct job *job, const char *msg, const char *state,
    const char *detail, const char *hint, size_t pos)
{
	struct error	*e = &job->err;
	const char	*s = job->sql, *line, *p;
	size_t		 chars = 0, col = 0, lineno = 1, linelen, n;
	char		 caret[256];

	err_set(e, 0, "ERROR: %s (SQLSTATE %s)", msg != NULL ? msg :
	    "unknown error", state != NULL ? state : "?????");
	if (pos > 0 && s != NULL) {
		line = s;
		for (p = s; *p != '\0' && chars + 1 < pos; p++) {
			if (((unsigned char)*p & 0xc0) == 0x80)
				continue;	/* UTF-8 continuation */
			chars++;
			col++;
			if (*p == '\n') {
				lineno++;
				line = p + 1;
				col = 0;
			}
		}
		linelen = strcspn(line, "\n");
		if (linelen <= 200 && col < sizeof(caret) - 1) {
			n = strlen(e->msg);
			snprintf(e->msg + n, sizeof(e->msg) - n,
			    "\nLINE %zu: %.*s", lineno, (int)linelen, line);
			memset(caret, ' ', sizeof(caret));
			n = col + strlen("LINE : ") + (size_t)snprintf(NULL, 0,
			    "%zu", lineno);
			if (n < sizeof(caret) - 1) {
				caret[n] = '^';
				caret[n + 1] = '\0';
				n = strlen(e->msg);
				snprintf(e->msg + n, sizeof(e->msg) - n,
				    "\n%s", caret);
			}
		} else {
			n = strlen(e->msg);
			snprintf(e->msg + n, sizeof(e->msg) - n,
			    "\nat line %zu, character %zu", lineno, col + 1);
		}
	}
	n = strlen(e->msg);
	if (detail != NULL)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nDETAIL: %s",
		    detail);
	n = strlen(e->msg);
	if (hint != NULL)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: %s", hint);
	n = strlen(e->msg);
	if (state != NULL && strcmp(state, "57014") == 0 && !job->cancelled)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: the "
		    "statement ran past the statement timeout; narrow it with "
		    "WHERE conditions or aggregate in SQL.");
	else if (state != NULL && strcmp(state, "42501") == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: only the "
		    "schemas shown by list_schemas are readable.");
	else if (state != NULL && strcmp(state, "25006") == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: this server "
		    "is read-only; only queries run here.");
}

/* The structuredContent of a row set: columns, rows, counts, a note. */
static void
finish_rowset(struct job *job)
{
	struct jw	*w = &job->out;
	char		 note[512];

	jw_key(w, "columns");
	if (job->cols.len > 0)
		jw_raw(w, job->cols.buf, job->cols.len);
	else {
		jw_arr_open(w);
		jw_arr_close(w);
	}
	jw_arr_close(&job->rowbuf);
	jw_key(w, "rows");
	jw_raw(w, job->rowbuf.buf, job->rowbuf.len);
	jw_kint(w, "row_count", job->nrows);
	jw_kbool(w, "truncated", job->truncated != TRUNC_NONE);
	jw_kint(w, "elapsed_ms", (long long)job->elapsed_ms);
	note[0] = '\0';
	if (job->truncated == TRUNC_ROWS)
		snprintf(note, sizeof(note), "Only the first %lld rows are "
		    "shown (max_rows%s). Narrow the query with WHERE, "
		    "aggregate with GROUP BY, or ORDER BY ... to see the rows "
		    "that matter first.", job->row_limit,
		    job->row_ceiling_hit ? " was capped at the server's "
		    "ceiling" : "");
	else if (job->truncated == TRUNC_BYTES)
		snprintf(note, sizeof(note), "The output was cut after %lld "
		    "rows to stay within %lld bytes. Select fewer or narrower "
		    "columns, aggregate, or filter with WHERE.", job->nrows,
		    job->max_bytes);
	if (note[0] != '\0')
		jw_kstr(w, "note", note);
	if (job->nnotes > 0) {
		jw_arr_close(&job->notes);
		jw_key(w, "notices");
		jw_raw(w, job->notes.buf, job->notes.len);
	}
}

/* The content array of a result: one text block of len bytes. */
static void
finish_text(struct jw *res, const char *text, size_t len)
{
	jw_key(res, "content");
	jw_arr_open(res);
	jw_obj_open(res);
	jw_kstr(res, "type", "text");
	jw_key(res, "text");
	jw_strn(res, text, len);
	jw_obj_close(res);
	jw_arr_close(res);
}

void
tool_finish(struct job *job)
{
	struct jw	 res;

	jw_init(&res);
	jw_obj_open(&res);
	if (!job->failed) {
		if (job->tool_kind != TOOL_CATALOG)
			finish_rowset(job);
		else
			jw_kbool(&job->out, "truncated",
			    job->truncated != TRUNC_NONE);
		jw_obj_close(&job->out);
	}
	if (job->failed || job->out.failed) {
		if (!job->failed)
			err_set(&job->err, 0, "the result could not be "
			    "encoded");
		finish_text(&res, job->err.msg, strlen(job->err.msg));
		jw_kbool(&res, "isError", true);
	} else {
		finish_text(&res, job->out.buf, job->out.len);
		if (mcp_proto() >= PROTO_2025_06_18) {
			jw_key(&res, "structuredContent");
			jw_raw(&res, job->out.buf, job->out.len);
		}
		jw_kbool(&res, "isError", false);
	}
	jw_obj_close(&res);
	rpc_reply(job->req, &res);
	jw_free(&res);
}
