/*
 * Row sets: query and sample_table.  The statement runs as the query of a
 * NO SCROLL cursor; its columns and their type names come first and count
 * against the byte budget, then rows are fetched in batches sized by the
 * widest row seen and what is left of the budget, and written as arrays
 * until the row limit (plus one, to prove truncation) or the budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

#define CURSOR		"analytics_mcp_cursor"
/* Rows encoded between two reads of the FETCH in flight. */
#define FETCH_READ_ROWS	64

/* The user's statement runs as this prefix + statement + "\n". */
static const char sql_declare[] = "DECLARE " CURSOR " NO SCROLL CURSOR FOR ";
/* No row, but the columns: their names and types count first. */
static const char sql_describe[] = "FETCH FORWARD 0 FROM " CURSOR;
/* The first FETCH takes one row; later ones as many as fit (fetch_sql). */
static const char sql_fetch_first[] = "FETCH FORWARD 1 FROM " CURSOR;
static const char sql_typnames[] =
    "SELECT format_type(t, m) FROM unnest($1::oid[], $2::int[]) "
    "WITH ORDINALITY AS u(t, m, i) ORDER BY i";

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
	job->cut = calloc((size_t)n, sizeof(*job->cut));
	if (job->colnames == NULL || job->coltypes == NULL ||
	    job->coltypmods == NULL || job->cut == NULL)
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

/*
 * A value longer than max_cell bytes, cut at a character boundary, with
 * a visible marker that says how long it was, as a JSON string.  Returns
 * how many characters were shown.
 */
static size_t
rows_cut_cell(struct jw *w, const char *text, size_t len, size_t max)
{
	char	*buf;
	size_t	 n = max, i, chars = 0;
	int	 m;

	/* Back to the start of a UTF-8 character. */
	while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;
	for (i = 0; i < n; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			chars++;
	if ((buf = malloc(n + 64)) == NULL) {
		w->failed = true;
		return chars;
	}
	memcpy(buf, text, n);
	m = snprintf(buf + n, 64, "\xe2\x80\xa6[cut: %zu bytes in all]", len);
	jw_strn(w, buf, n + (size_t)m);
	free(buf);
	return chars;
}

/* Bytes of the budget the rows may still use. */
static size_t
rows_room(const struct job *job)
{
	size_t	 used = job->cols_bytes + job->rows.json.len + 1;

	return (size_t)job->max_bytes > used ? (size_t)job->max_bytes - used :
	    0;
}

/*
 * The next FETCH, sent while the rows of the last one (ahead_rows rows,
 * ahead_bytes of row width) are still to be encoded: as many rows as are
 * still wanted (one more proves truncation), no more than the rest of the
 * byte budget holds at the widest row seen so far once those rows take
 * their width of it, and no more than FETCH_BATCH_MIN or, after a quick
 * FETCH, twice the last one.  libpq holds a whole FETCH result in memory,
 * so the budget bounds memory, not the rows; the doubling keeps each FETCH
 * close to the rows already seen (whose width sized it) and still brings
 * 10,000 rows in a handful of round trips, while a slow query keeps its
 * batches and so its progress notes.  Of more than twice FETCH_TAIL_MIN
 * rows still to come, a FETCH takes at most half: the later ones shrink,
 * and the last, whose rows are encoded after the server is done, is small.
 */
static int
fetch_sql(struct job *job, struct step *st, long long ahead_rows,
    size_t ahead_bytes)
{
	long long	 n, grow = FETCH_BATCH_MIN;
	uint64_t	 now = now_ms();
	size_t		 fit, room = rows_room(job);
	char		*sql;

	if (job->fetch_want > FETCH_BATCH_MIN / 2)
		grow = job->fetch_ms > 0 && now - job->fetch_ms >=
		    FETCH_SLOW_MS ? job->fetch_want : job->fetch_want * 2;
	n = job->row_limit - job->nrows - ahead_rows + 1;
	room = room > ahead_bytes ? room - ahead_bytes : 0;
	fit = room / (job->widest_row > 0 ? job->widest_row : 1) + 1;
	if ((size_t)n > fit)
		n = (long long)fit;
	if (n > 2 * FETCH_TAIL_MIN)
		n /= 2;
	if (n > grow)
		n = grow;
	if (asprintf(&sql, "FETCH FORWARD %lld FROM " CURSOR, n) == -1)
		return -1;
	job->fetch_want = n;
	job->fetch_ms = now;
	free(st->sql);
	st->sql = sql;
	return 0;
}

/*
 * Append the rows of one FETCH as arrays until the row limit (one more
 * row than wanted proves truncation) or the byte budget is reached.  A
 * row is encoded straight into the rows' writer, under a limit of what
 * is left of the budget, so a value larger than that is never encoded
 * whole; a row that does not fit is taken back (jw_rewind()), and one
 * that does is escaped into the rows' string form, the text block's share
 * (jw_aside_sync()), while it is fresh in the cache.  With conn
 * (a FETCH in flight), what the server sends meanwhile is read every
 * FETCH_READ_ROWS rows, so that it never waits on a full socket while
 * these rows are encoded.
 */
static void
fetch_rows(struct job *job, const PGresult *res, PGconn *conn)
{
	struct jw	*rows = &job->rows.json;
	struct jw_mark	 mark;
	struct pgv_map	*maps = NULL;
	const char	*text;
	size_t		 width, len, chars, room, limit = rows->limit;
	int		 r, c, n, nf;
	bool		 isnull;

	n = PQntuples(res);
	nf = PQnfields(res);
	/* Each column's mapping once; without the memory, each value's. */
	if (nf > 0 && (maps = reallocarray(NULL, (size_t)nf,
	    sizeof(*maps))) != NULL)
		for (c = 0; c < nf; c++)
			pgv_map(&maps[c], PQftype(res, c));
	for (r = 0; r < n; r++) {
		if (job->nrows >= job->row_limit) {
			job->truncated = TRUNC_ROWS;
			break;
		}
		/* The row's bytes, after the comma all but the first have. */
		room = rows_room(job);
		jw_mark(rows, &mark);
		jw_limit(rows, rows->len + (job->nrows > 0 ? 1 : 0) + room);
		jw_arr_open(rows);
		/* Each cell's length is read once, for value and width. */
		for (c = 0, width = (size_t)nf; c < nf; c++) {
			len = (size_t)PQgetlength(res, r, c);
			width += len;
			text = PQgetvalue(res, r, c);
			if (len <= (size_t)job->max_cell) {
				/* A NULL is empty: only then ask. */
				isnull = len == 0 && PQgetisnull(res, r, c);
				if (maps != NULL)
					pgv_map_write(rows, &maps[c], text, len,
					    isnull);
				else
					pgv_write(rows, PQftype(res, c), text,
					    len, isnull);
				continue;
			}
			chars = rows_cut_cell(rows, text, len,
			    (size_t)job->max_cell);
			if (c < job->ncols && !job->cut[c]) {
				job->cut[c] = true;
				if (job->cut_chars == 0)
					job->cut_chars = chars;
			}
		}
		if (width > job->widest_row)
			job->widest_row = width;
		jw_arr_close(rows);
		if (rows->failed || room == 0) {
			jw_rewind(rows, &mark);
			jw_limit(rows, limit);
			job->truncated = TRUNC_BYTES;
			break;
		}
		jw_limit(rows, limit);
		jw_aside_sync(&job->rows);
		job->nrows++;
		/* A broken link shows when its results are collected. */
		if (conn != NULL && r % FETCH_READ_ROWS == FETCH_READ_ROWS - 1)
			(void)PQconsumeInput(conn);
	}
	free(maps);
	job->elapsed_ms = now_ms() - job->started_ms;
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

/*
 * The column type names, in column order, if this connection knows them
 * all already (typname.c): 1, or 0 if it does not; -1: out of memory.
 */
static int
typnames_known(struct job *job)
{
	const char	*name;
	int		 i;

	for (i = 0; i < job->ncols; i++)
		if (typname_get(job->coltypes[i], job->coltypmods[i]) == NULL)
			return 0;
	if ((job->typnames = calloc((size_t)job->ncols,
	    sizeof(*job->typnames))) == NULL)
		return -1;
	for (i = 0; i < job->ncols; i++) {
		name = typname_get(job->coltypes[i], job->coltypmods[i]);
		if ((job->typnames[i] = strdup(name)) == NULL)
			return -1;
	}
	return 1;
}

/*
 * FETCH 0: the columns.  If their type names are all known, the columns
 * are encoded now and the lookup is skipped; otherwise its parameters
 * are written.
 */
static enum step_next
cb_describe(struct job *job, void *conn, const void *res)
{
	int	 known = 0;

	(void)conn;
	if (rows_columns(job, res) == -1 ||
	    (job->ncols > 0 && (known = typnames_known(job)) == -1))
		goto oom;
	if (known) {
		if (rows_encode_columns(job) == -1) {
			job->failed = true;
			return STEP_FAIL;
		}
		return STEP_SKIP;
	}
	if (typnames_params(job) == -1)
		goto oom;
	return STEP_NEXT;
oom:
	job->failed = true;
	err_set(&job->err, 0, "out of memory");
	return STEP_FAIL;
}

/*
 * A FETCH result.  One that brings fewer rows than asked for found the
 * end, and one that reaches the row limit is the last: its rows are
 * encoded now.  Otherwise the next FETCH is sized and sent first
 * (STEP_EARLY) and cb_fetch_late encodes these rows meanwhile.
 */
static enum step_next
cb_fetch(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	size_t		 width, ahead = 0;
	int		 r, c, n = PQntuples(res), nf = PQnfields(res);

	(void)conn;
	if (n < job->fetch_want || job->nrows + n > job->row_limit) {
		fetch_rows(job, res, NULL);
		return STEP_NEXT;
	}
	for (r = 0; r < n; r++) {
		for (c = 0, width = (size_t)nf; c < nf; c++)
			width += (size_t)PQgetlength(res, r, c);
		if (width > job->widest_row)
			job->widest_row = width;
		ahead += width;
	}
	if (fetch_sql(job, &job->steps[job->cur], n, ahead) == -1) {
		job->failed = true;
		err_set(&job->err, 0, "out of memory");
		return STEP_FAIL;
	}
	return STEP_EARLY;
}

/* The rows of a FETCH whose successor is on its way: more wanted? */
static enum step_next
cb_fetch_late(struct job *job, void *conn, const void *res)
{
	fetch_rows(job, res, conn);
	if (job->truncated != TRUNC_NONE)
		return STEP_NEXT;
	job_progress(job);
	return STEP_AGAIN;
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
		for (i = 0; i < job->ncols; i++) {
			job->typnames[i] = strdup(PQgetvalue(res, i, 0));
			typname_put(job->coltypes[i], job->coltypmods[i],
			    PQgetvalue(res, i, 0));
		}
	if (rows_encode_columns(job) == -1) {
		job->failed = true;
		return STEP_FAIL;
	}
	return STEP_NEXT;
}

/* The structuredContent of a row set: columns, rows, counts, a note. */
static void
rowset_finish(struct job *job)
{
	struct jw	*w = &job->out;
	char		 note[1024];
	const char	*cut = NULL;
	size_t		 n;
	int		 i;

	jw_key(w, "columns");
	if (job->cols.len > 0)
		jw_copy(w, &job->cols);
	else {
		jw_arr_open(w);
		jw_arr_close(w);
	}
	jw_arr_close(&job->rows.json);
	jw_aside_sync(&job->rows);
	jw_key(w, "rows");
	jw_put_aside(w, &job->rows);
	jw_kint(w, "row_count", job->nrows);
	jw_kbool(w, "truncated", job->truncated != TRUNC_NONE);
	jw_kint(w, "elapsed_ms", (long long)job->elapsed_ms);
	note[0] = '\0';
	if (job->truncated == TRUNC_ROWS)
		snprintf(note, sizeof(note), "Only the first %lld rows are "
		    "shown (%s%s). Narrow the query with WHERE, aggregate with "
		    "GROUP BY, or ORDER BY ... to see the rows that matter "
		    "first.", job->row_limit, job->user_step == -1 ? "n" :
		    "max_rows", job->row_ceiling_hit ? " was capped at the "
		    "server's ceiling" : "");
	else if (job->truncated == TRUNC_BYTES)
		snprintf(note, sizeof(note), "The output was cut after %lld "
		    "rows to stay within %lld bytes. Select fewer or narrower "
		    "columns, aggregate, or filter with WHERE.", job->nrows,
		    job->max_bytes);
	/* Cut values: which columns, and how to read the rest. */
	for (i = 0; i < job->ncols; i++) {
		if (!job->cut[i])
			continue;
		if (cut == NULL) {
			cut = job->colnames[i];
			jw_key(w, "cut_columns");
			jw_arr_open(w);
		}
		jw_str(w, job->colnames[i]);
	}
	if (cut != NULL) {
		jw_arr_close(w);
		n = strlen(note);
		snprintf(note + n, sizeof(note) - n, "%sValues longer than %lld "
		    "bytes were cut; each cut value ends in \"[cut: N bytes in "
		    "all]\". Read the rest in pieces of characters, e.g. "
		    "substring(%s from %zu for %zu).", n > 0 ? " " : "",
		    job->max_cell, cut, job->cut_chars + 1, job->cut_chars);
	}
	if (note[0] != '\0')
		jw_kstr(w, "note", note);
	if (job->nnotes > 0) {
		jw_arr_close(&job->notes);
		jw_key(w, "notices");
		jw_copy(w, &job->notes);
	}
}

/*
 * The statements shared by query and sample_table after the DECLARE: the
 * columns and their type names first, then the rows.
 */
static int
add_fetch_steps(struct job *job)
{
	job->finish = rowset_finish;
	job->fetch_want = 1;		/* sql_fetch_first */
	jw_arr_open(&job->rows.json);
	if (job_add(job, sql_describe, cb_describe, 0) == -1)
		return -1;
	/* It needs the DECLARE run, not its result: it may go with it. */
	job->steps[job->nsteps - 1].ahead = true;
	if (job_add(job, sql_typnames, cb_typnames, 0) == -1 ||
	    job_add(job, sql_fetch_first, cb_fetch, 0) == -1)
		return -1;
	job->steps[job->nsteps - 1].late = cb_fetch_late;
	return 0;
}

int
rowset_query(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	long long	 max_rows;

	if (arg_str(a, "sql", true, cfg->max_line, &job->sql, err) == -1 ||
	    arg_int(a, "max_rows", ROWS_DEFAULT, 1, INT64_MAX, &max_rows,
	    err) == -1)
		return -1;
	job->row_limit = max_rows < cfg->max_rows ? max_rows : cfg->max_rows;
	job->row_ceiling_hit = max_rows > cfg->max_rows;
	if (rowset_user_step(job, sql_declare, NULL, err) == -1)
		return -1;
	if (add_fetch_steps(job) == -1)
		return err_set(err, 0, "out of memory");
	return 0;
}

int
rowset_user_step(struct job *job, const char *prefix, step_cb cb,
    struct error *err)
{
	char	*stmt;
	char	 why[ERRMSG_MAX];
	size_t	 len, n, plen = strlen(prefix);

	if (guard_check(job->sql, strlen(job->sql), &len, why,
	    sizeof(why)) == -1)
		return err_set(err, 0, "query rejected: %s", why);
	/* prefix <statement>\n: a trailing -- comment stays one. */
	n = plen + len + 2;
	if ((stmt = malloc(n)) == NULL)
		return err_set(err, 0, "out of memory");
	memcpy(stmt, prefix, plen);
	memcpy(stmt + plen, job->sql, len);
	stmt[n - 2] = '\n';
	stmt[n - 1] = '\0';
	job->user_step = job->nsteps;
	job->user_prefix = plen;
	if (job_add(job, NULL, cb, 0) == -1) {
		free(stmt);
		return err_set(err, 0, "out of memory");
	}
	job->steps[job->user_step].sql = stmt;
	return 0;
}

/*
 * sample_table's relation lookup: the SELECT of the next step, from the
 * name as the server quoted it.
 */
static enum step_next
cb_sample_relation(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	struct step	*next = &job->steps[job->cur + 1];
	size_t		 len;

	(void)conn;
	if (!catalog_relation_found(job, res))
		return STEP_FAIL;
	free(job->sql);
	len = sizeof("SELECT * FROM ") + (size_t)PQgetlength(res, 0, 0);
	if ((job->sql = malloc(len)) == NULL)
		return STEP_FAIL;
	snprintf(job->sql, len, "SELECT * FROM %s", PQgetvalue(res, 0, 0));
	len = strlen(sql_declare) + strlen(job->sql) + 2;
	if ((next->sql = malloc(len)) == NULL)
		return STEP_FAIL;
	snprintf(next->sql, len, "%s%s\n", sql_declare, job->sql);
	return STEP_NEXT;
}

int
rowset_sample(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	char		*schema, *table;
	long long	 n;
	int		 rc;

	if (arg_int(a, "n", SAMPLE_DEFAULT, 1, SAMPLE_MAX, &n, err) == -1 ||
	    arg_relation(a, cfg, &schema, &table, err) == -1)
		return -1;
	job->row_limit = n < cfg->max_rows ? n : cfg->max_rows;
	rc = job_add(job, catalog_sql_relation, cb_sample_relation, 2,
	    schema, table);
	free(schema);
	free(table);
	/* cb_sample_relation writes this step's DECLARE from the quoted name. */
	if (rc == 0)
		rc = job_add(job, NULL, NULL, 0);
	if (rc == 0)
		rc = add_fetch_steps(job);
	return rc == -1 ? err_set(err, 0, "out of memory") : 0;
}
