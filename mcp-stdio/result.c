/*
 * Results of tools/call: a CallToolResult with the structuredContent the
 * job's callbacks built and the same JSON as a text block, or an isError
 * text; PostgreSQL errors are formatted here the way psql shows them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

/*
 * Format the job's PostgreSQL error as psql would, so the model can act
 * on it: message and SQLSTATE, the offending line with a caret under the
 * error position, then detail and hint, and a hint of ours for the
 * errors a model meets most.
 */
static void
result_pg_error(struct job *job)
{
	struct error	*e = &job->err;
	const char	*s = job->sql, *line, *p;
	const char	*msg = job->pg.message, *state = job->pg.sqlstate;
	const char	*detail = job->pg.detail, *hint = job->pg.hint;
	size_t		 pos = job->pg.position;
	size_t		 chars = 0, col = 0, lineno = 1, linelen, n;
	char		 caret[256];

	err_set(e, 0, "ERROR: %s (SQLSTATE %s)", msg, state[0] != '\0' ?
	    state : "?????");
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
	if (strcmp(state, "57014") == 0 && !job->cancelled)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: the "
		    "statement ran past the statement timeout; narrow it with "
		    "WHERE conditions or aggregate in SQL.  The explain tool "
		    "shows its plan without running it.");
	else if (strcmp(state, "42501") == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: only the "
		    "schemas shown by list_schemas are readable.");
	else if (strcmp(state, "25006") == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: this server "
		    "is read-only; only queries run here.");
	else if (strcmp(state, "40001") == 0 &&
	    strstr(msg, "conflict with recovery") != NULL)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: the "
		    "database is a standby, which cancelled the query to "
		    "apply changes from the primary (a recovery conflict); "
		    "nothing is wrong with the query.  Run it again; if it "
		    "keeps happening, ask the database administrator to set "
		    "hot_standby_feedback = on or raise "
		    "max_standby_streaming_delay on the standby.");
	else if (strncmp(state, "08", 2) == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: the "
		    "database could not be reached (a connection pooler in "
		    "between says so); nothing is wrong with the query.  Try "
		    "again in a little while.");
	else if (strncmp(state, "57P0", 4) == 0)
		snprintf(e->msg + n, sizeof(e->msg) - n, "\nHINT: the "
		    "database ended this session (an administrator, a "
		    "restart or a failover); nothing is wrong with the query.  "
		    "The next call connects again: run it again.");
}

void
result_job_error(struct job *job)
{
	struct error	 err;

	if (job->pg.message != NULL)
		err_set(&err, RPC_INTERNAL_ERROR, "database error: %s "
		    "(SQLSTATE %s)", job->pg.message, job->pg.sqlstate);
	else
		err_set(&err, job->err.code != 0 ? job->err.code :
		    RPC_INTERNAL_ERROR, "%s", job->err.msg);
	rpc_error(job->req, &err);
}

/* The content array of a result, one text block: all but the text. */
static void
result_text_open(struct jw *w)
{
	jw_key(w, "content");
	jw_arr_open(w);
	jw_obj_open(w);
	jw_kstr(w, "type", "text");
	jw_key(w, "text");
}

static void
result_text_close(struct jw *w)
{
	jw_obj_close(w);
	jw_arr_close(w);
}

void
result_send(struct job *job)
{
	struct jw	 w;

	if (!job->failed) {
		if (job->finish != NULL)
			job->finish(job);
		jw_obj_close(&job->out);
		if (job->out.failed) {
			job->failed = true;
			err_set(&job->err, 0, "the result could not be encoded");
		}
	}
	if (job->failed && job->pg.message != NULL)
		result_pg_error(job);

	jw_init(&w);
	rpc_result_begin(&w, job->req);
	jw_obj_open(&w);
	if (job->failed) {
		result_text_open(&w);
		jw_str(&w, job->err.msg);
		result_text_close(&w);
		jw_kbool(&w, "isError", true);
	} else {
		result_text_open(&w);
		jw_copy_str(&w, &job->out);
		result_text_close(&w);
		if (job->req->proto >= PROTO_2025_06_18) {
			jw_key(&w, "structuredContent");
			jw_copy(&w, &job->out);
		}
		jw_kbool(&w, "isError", false);
	}
	jw_obj_close(&w);
	rpc_result_end(&w, job->req);
	jw_free(&w);
}
