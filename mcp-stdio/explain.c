/*
 * The explain tool: the plan of one query the guard accepts, as
 * EXPLAIN prints it.  Plain EXPLAIN runs nothing; with analyze the query
 * runs, in the same read-only transaction that is rolled back, under the
 * same deadline.  The plan is text, cut at the byte budget on a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "extern.h"

static const char sql_explain[] = "EXPLAIN (FORMAT TEXT) ";
static const char sql_explain_analyze[] =
    "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ";

/*
 * The plan's lines, one per row, as one string: whole lines, as many as
 * fit in the byte budget with their newlines.
 */
static enum step_next
cb_plan(struct job *job, void *conn, const void *vres)
{
	const PGresult	*res = vres;
	char		*plan;
	size_t		 len = 0, n;
	int		 r, rows = PQntuples(res);

	(void)conn;
	for (r = 0; r < rows; r++) {
		n = (size_t)PQgetlength(res, r, 0) + (r > 0);
		if (len + n > (size_t)job->max_bytes) {
			job->truncated = TRUNC_BYTES;
			break;
		}
		len += n;
	}
	if ((plan = malloc(len + 1)) == NULL)
		return STEP_FAIL;
	for (len = 0, rows = r, r = 0; r < rows; r++) {
		if (r > 0)
			plan[len++] = '\n';
		n = (size_t)PQgetlength(res, r, 0);
		memcpy(plan + len, PQgetvalue(res, r, 0), n);
		len += n;
	}
	job->nrows = rows;
	jw_key(&job->out, "plan");
	jw_strn(&job->out, plan, len);
	free(plan);
	return STEP_NEXT;
}

static void
explain_finish(struct job *job)
{
	jw_kbool(&job->out, "truncated", job->truncated != TRUNC_NONE);
	if (job->truncated != TRUNC_NONE)
		jw_kstr(&job->out, "note", "The plan was cut to stay within the "
		    "output budget; simplify the query to see all of it.");
}

int
explain_plan(struct job *job, struct args *a, const struct config *cfg,
    struct error *err)
{
	bool	 analyze;

	if (arg_str(a, "sql", true, cfg->max_line, &job->sql, err) == -1 ||
	    arg_bool(a, "analyze", false, &analyze, err) == -1)
		return -1;
	job->finish = explain_finish;
	jw_kbool(&job->out, "analyzed", analyze);
	return rowset_user_step(job, analyze ? sql_explain_analyze :
	    sql_explain, cb_plan, err);
}
