/*
 * A job: one tool call on its way through the database (see db.c).  It
 * owns its request, its statements and their parameters, and the
 * buffers the step callbacks write the result into.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

/*
 * The rows of the last row set, kept for the next (up to HEAP_KEEP of
 * buffers): megabytes returned to the system would be faulted in again,
 * page by page, by every large result.
 */
static struct jw_aside	 spare_rows;
static bool		 spare_held;

/* A row set's rows, empty: the spare's buffers if there are any. */
static void
job_rows_take(struct jw_aside *rows)
{
	if (!spare_held) {
		jw_aside_init(rows);
		return;
	}
	*rows = spare_rows;
	spare_held = false;
	jw_aside_reset(rows);
}

/* Keep a job's rows as the spare, or free them. */
static void
job_rows_give(struct jw_aside *rows)
{
	if (!spare_held && rows->json.buf != NULL && rows->str.buf != NULL &&
	    rows->json.cap + rows->str.cap <= HEAP_KEEP) {
		spare_rows = *rows;
		spare_held = true;
		return;
	}
	jw_aside_free(rows);
}

struct job *
job_new(struct rpc_req *req, const char *tool, const struct config *cfg)
{
	struct job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	if ((job->tool = strdup(tool)) == NULL) {
		free(job);
		return NULL;
	}
	job->req = req;
	job->row_limit = cfg->max_rows;
	job->max_bytes = cfg->max_bytes;
	job->max_cell = cfg->max_cell;
	job->user_step = -1;
	job->started_ms = now_ms();
	jw_init(&job->out);
	job_rows_take(&job->rows);
	jw_init(&job->cols);
	jw_init(&job->notes);
	jw_obj_open(&job->out);
	return job;
}

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
	free(job->cut);
	if (job->ctx_free != NULL)
		job->ctx_free(job->ctx);
	free(job->tool);
	free(job->sql);
	free(job->pg.message);
	free(job->pg.detail);
	free(job->pg.hint);
	jw_free(&job->out);
	job_rows_give(&job->rows);
	jw_free(&job->cols);
	jw_free(&job->notes);
	rpc_free(job->req);
	free(job->req);
	free(job);
}

void
job_progress(struct job *job)
{
	char		 msg[64];
	uint64_t	 now;

	if (job->progress == NULL || job->cancelled || job->timed_out ||
	    job->nrows <= job->progress_sent)
		return;
	/* A quick call has nothing to report: the first note waits too. */
	now = now_ms();
	if (now - (job->progress_sent > 0 ? job->progress_ms :
	    job->started_ms) < PROGRESS_INTERVAL_MS)
		return;
	snprintf(msg, sizeof(msg), "%lld rows fetched", job->nrows);
	(void)rpc_progress(job->progress, job->progresslen, job->nrows, msg);
	job->progress_sent = job->nrows;
	job->progress_ms = now;
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

/* A copy of a server's text, scrubbed of secrets; NULL stays NULL. */
static char *
job_text(const char *s)
{
	char	 buf[ERRMSG_MAX];

	if (s == NULL)
		return NULL;
	secret_scrub(s, buf, sizeof(buf));
	return strdup(buf);
}

void
job_pg_error(struct job *job, const char *state, const char *msg,
    const char *detail, const char *hint, size_t pos)
{
	job->failed = true;
	strlcpy(job->pg.sqlstate, state != NULL ? state : "",
	    sizeof(job->pg.sqlstate));
	if ((job->pg.message = job_text(msg != NULL ? msg : "unknown error")) ==
	    NULL)
		err_set(&job->err, 0, "out of memory");
	job->pg.detail = job_text(detail);
	job->pg.hint = job_text(hint);
	job->pg.position = pos;
}

void
job_too_large(struct job *job, long long max_memory_mb)
{
	job->failed = true;
	err_set(&job->err, 0, "a row of the result is too large to receive "
	    "within this server's memory cap of %lld MiB (--max-memory). "
	    "Select fewer or narrower columns, or cut long values in SQL, "
	    "e.g. left(col, 1000).", max_memory_mb);
}

void
job_clear_error(struct job *job)
{
	job->failed = false;
	free(job->pg.message);
	free(job->pg.detail);
	free(job->pg.hint);
	memset(&job->pg, 0, sizeof(job->pg));
	job->err.msg[0] = '\0';
	job->err.code = 0;
}
