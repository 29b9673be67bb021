/*
 * One audit record per tool call: a line to syslog and stderr and, with
 * --audit-log, a JSON object per line appended to a file.
 *
 * The record names the caller, the peer address, the tool, rows,
 * truncation, milliseconds, the outcome (ok, cancelled, a SQLSTATE, or
 * error for a call refused before the database), the session-level
 * advisory locks the call left behind (released since, see txn.c) and
 * the SQL, quoted and escaped as the last field of a single line.  Every
 * control character, C1 and U+2028/U+2029 included, is escaped in both
 * the text line and the JSON line.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

static int audit_fd = -1;
/* The last record was cut short (a full disk): the next starts a line. */
static bool audit_torn;

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

void
audit_notice(const struct config *cfg, const char *severity,
    const char *text)
{
	char	 sev[32], msg[ERRMSG_MAX + 64];

	audit_escape(severity, sev, sizeof(sev));
	audit_escape(text, msg, sizeof(msg));
	syslog(LOG_NOTICE, "caller=%s database %s: \"%s\"", cfg->caller, sev,
	    msg);
	fprintf(stderr, "%s: caller=%s database %s: \"%s\"\n", MCP_NAME,
	    cfg->caller, sev, msg);
}

/* The outcome word of a finished job. */
static const char *
audit_status(const struct job *job)
{
	if (job->cancelled)
		return "cancelled";
	if (job->pg.sqlstate[0] != '\0')
		return job->pg.sqlstate;
	return job->failed ? "error" : "ok";
}

/*
 * The escape of the character at s (n bytes of it) into e, or 0 if it
 * travels as it is.  Invalid UTF-8 becomes U+FFFD, one byte at a time.
 */
static size_t
audit_esc1(const unsigned char *s, size_t *n, char *e, size_t esz)
{
	size_t	 len;

	*n = 1;
	if (*s == '"' || *s == '\\')
		return (size_t)snprintf(e, esz, "\\%c", *s);
	if (*s == '\n')
		return (size_t)snprintf(e, esz, "\\n");
	if (*s == '\t')
		return (size_t)snprintf(e, esz, "\\t");
	if (*s == '\r')
		return (size_t)snprintf(e, esz, "\\r");
	if (*s < 0x20 || *s == 0x7f)
		return (size_t)snprintf(e, esz, "\\u%04x", *s);
	if (*s < 0x80)
		return 0;
	len = *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
	if (strnlen((const char *)s, len) < len ||
	    !json_utf8_valid((const char *)s, len))
		return (size_t)snprintf(e, esz, "\\ufffd");
	*n = len;
	if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return (size_t)snprintf(e, esz, "\\u%04x", s[1]);
	if (len == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9))
		return (size_t)snprintf(e, esz, "\\u20%02x", s[2] & 0x3f);
	return 0;
}

void
audit_escape(const char *s, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, n, elen;
	char			 e[8];

	if (outsz < 4)
		return;
	while (p != NULL && *p != '\0') {
		elen = audit_esc1(p, &n, e, sizeof(e));
		/* Whole characters and escapes only; room for "..." stays. */
		if (o + (elen > 0 ? elen : n) + 4 > outsz) {
			strlcpy(out + o, "...", outsz - o);
			return;
		}
		if (elen > 0)
			memcpy(out + o, e, elen);
		else
			memcpy(out + o, p, n);
		o += elen > 0 ? elen : n;
		p += n;
	}
	out[o] = '\0';
}

/*
 * Append the record in w to the --audit-log file as one line, with one
 * writev (O_APPEND keeps concurrent sessions' lines whole).  A write that
 * fails (ENOSPC, EIO) loses the record from the file only: the caller
 * also logs it to syslog and stderr, the session goes on, and the failure
 * is said there too.  After a record cut short, the next begins with a
 * newline so that the torn one stays a line of its own.
 */
static void
audit_append(const struct jw *w)
{
	struct iovec	 iov[3];
	char		 nl[] = "\n";
	const char	*why;
	size_t		 lead = audit_torn ? 1 : 0, want;
	ssize_t		 n;
	int		 i = 0;

	if (audit_torn) {
		iov[i].iov_base = nl;
		iov[i++].iov_len = 1;
	}
	iov[i].iov_base = w->buf;
	iov[i++].iov_len = w->len;
	iov[i].iov_base = nl;
	iov[i++].iov_len = 1;
	want = lead + w->len + 1;
	n = writev(audit_fd, iov, i);
	if (n == (ssize_t)want) {
		audit_torn = false;
		return;
	}
	if (n == -1) {
		why = strerror(errno);	/* before syslog() may change errno */
		syslog(LOG_ERR, "audit log: %s", why);
		fprintf(stderr, "%s: audit log: %s\n", MCP_NAME, why);
		return;
	}
	/* Only the leading newline out: the torn line is ended, no more. */
	audit_torn = lead == 1 ? n != 1 : n > 0;
	syslog(LOG_ERR, "audit log: record cut short after %zd of %zu bytes",
	    n, want);
	fprintf(stderr, "%s: audit log: record cut short after %zd of %zu "
	    "bytes\n", MCP_NAME, n, want);
}

void
audit_job(const struct job *job, const struct config *cfg)
{
	char		 sql[AUDIT_SQL_MAX + 8], peer[128], when[32];
	char		 line[AUDIT_SQL_MAX + 512];
	struct timespec	 ts;
	struct tm	 tm;
	struct jw	 w;
	long long	 ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
	    ts.tv_nsec / 1000000);
	ms = (long long)(now_ms() - job->started_ms);
	audit_escape(job->sql != NULL ? job->sql : "", sql, sizeof(sql));
	audit_escape(cfg->peer, peer, sizeof(peer));

	/* The SQL last and quoted: nothing in it can pose as a field. */
	snprintf(line, sizeof(line), "caller=%s peer=%s tool=%s rows=%lld "
	    "truncated=%d ms=%lld status=%s leftover_locks=%lld sql=\"%s\"",
	    cfg->caller, peer, job->tool, job->nrows,
	    job->truncated != TRUNC_NONE, ms, audit_status(job),
	    job->leftover_locks, sql);
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
	jw_kint(&w, "leftover_locks", job->leftover_locks);
	if (job->sql != NULL)
		jw_kstr(&w, "sql", job->sql);
	else
		jw_kstr(&w, "sql", "");
	jw_obj_close(&w);
	if (!w.failed)
		audit_append(&w);
	jw_free(&w);
}
