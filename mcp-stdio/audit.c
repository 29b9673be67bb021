/*
 * One audit record per tool call: a line to syslog and stderr and, with
 * --audit-log, a JSON object per line appended to a file.
 *
 * The record names the caller, the peer address, the tool, rows,
 * truncation, milliseconds, the outcome (ok, cancelled, a SQLSTATE, or
 * error for a call refused before the database) and the SQL on one line.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

static int audit_fd = -1;

int
audit_open(const struct config *cfg)
{
	openlog(MCP_NAME, LOG_PID, LOG_USER);
	if (cfg->audit_log == NULL)
		return 0;
	audit_fd = open(cfg->audit_log,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return audit_fd == -1 ? -1 : 0;
}

/* The outcome word of a finished job. */
static const char *
audit_status(const struct job *job)
{
	if (job->cancelled)
		return "cancelled";
	if (job->sqlstate != NULL)
		return job->sqlstate;
	return job->failed ? "error" : "ok";
}

/*
 * Copy sql into buf on one line: control characters become \n, \t, \r or
 * a space, and a longer text ends in "...".
 */
static void
audit_oneline(char *buf, size_t bufsz, const char *sql)
{
	size_t	 o = 0;

	for (; sql != NULL && *sql != '\0' && o + 5 < bufsz; sql++) {
		if (*sql == '\n' || *sql == '\t' || *sql == '\r') {
			buf[o++] = '\\';
			buf[o++] = *sql == '\n' ? 'n' : *sql == '\t' ? 't' : 'r';
		} else if ((unsigned char)*sql < 0x20 || *sql == 0x7f)
			buf[o++] = ' ';
		else
			buf[o++] = *sql;
	}
	if (sql != NULL && *sql != '\0')
		o += (size_t)snprintf(buf + o, bufsz - o, "...");
	buf[o] = '\0';
}

void
audit_job(const struct job *job, const struct config *cfg)
{
	char		 sql[AUDIT_SQL_MAX + 8], when[32];
	char		 line[AUDIT_SQL_MAX + 512];
	struct timespec	 ts;
	struct tm	 tm;
	struct jw	 w;
	struct iovec	 iov[2];
	char		 nl[] = "\n";
	long long	 ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
	    ts.tv_nsec / 1000000);
	ms = (long long)(now_ms() - job->started_ms);
	audit_oneline(sql, sizeof(sql), job->sql);

	snprintf(line, sizeof(line), "caller=%s peer=%s tool=%s rows=%lld "
	    "truncated=%d ms=%lld status=%s sql=%s", cfg->caller, cfg->peer,
	    job->tool, job->nrows, job->truncated != TRUNC_NONE, ms,
	    audit_status(job), sql);
	syslog(LOG_INFO, "%s", line);
	fprintf(stderr, "%s %s: %s\n", when, MCP_NAME, line);

	if (audit_fd == -1)
		return;
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "time", when);
	jw_kstr(&w, "caller", cfg->caller);
	jw_kstr(&w, "peer", cfg->peer);
	jw_kstr(&w, "tool", job->tool);
	jw_kint(&w, "rows", job->nrows);
	jw_kbool(&w, "truncated", job->truncated != TRUNC_NONE);
	jw_kint(&w, "ms", ms);
	jw_kstr(&w, "status", audit_status(job));
	if (job->sql != NULL)
		jw_kstr(&w, "sql", job->sql);
	else
		jw_kstr(&w, "sql", "");
	jw_obj_close(&w);
	if (!w.failed) {
		/* One writev of a whole line: O_APPEND keeps lines whole. */
		iov[0].iov_base = w.buf;
		iov[0].iov_len = w.len;
		iov[1].iov_base = nl;
		iov[1].iov_len = 1;
		if (writev(audit_fd, iov, 2) != (ssize_t)(w.len + 1))
			syslog(LOG_ERR, "audit log write failed");
	}
	jw_free(&w);
}
