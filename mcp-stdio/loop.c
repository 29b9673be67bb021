/*
 * The single-threaded loop: one ppoll() over stdin, stdout (for its
 * reader going away) and the database socket.
 *
 * Requests are answered in order.  While a tool call is in the database,
 * a request the method table routes "at once" (ping) is answered at once,
 * a cancelling notification stops the call it names, and every other
 * request waits in a bounded queue.  The loop knows jobs and routes, not
 * method names (see mcp.c).
 *
 * The session ends with status 0 in three ways (and with status 1 when a
 * write to stdout fails for another reason than its reader leaving, such
 * as EIO or ENOSPC):
 *   - the client is gone: stdout's reader closed (POLLERR or POLLHUP on
 *     fd 1, or EPIPE), as when an ssh client dies; or SIGTERM, SIGINT or
 *     SIGHUP: the running statement is cancelled at once (by a helper
 *     process: nothing here waits on the network);
 *   - EOF on stdin while stdout is still read: a half-close, as from
 *     "printf ... | analytics-mcp" or a socat client; what was asked is
 *     answered, then the session ends.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

static struct {
	const struct config *cfg;
	struct session	 session;
	struct rpc_req	*queue[PENDING_MAX];	/* a ring */
	size_t		 qhead;
	size_t		 qlen;
	struct job	*done;		/* finished, not yet answered */
	bool		 eof;
	void		(*with_libpq)(const struct config *);
	uint64_t	 load_at;	/* start it by then at the latest */
	bool		 libpq;		/* with_libpq has run */
} loop;

static volatile sig_atomic_t terminate;

static void
on_signal(int sig)
{
	(void)sig;
	terminate = 1;
}

/* Send a job's reply: its own kind, or a CallToolResult. */
static void
loop_answer(struct job *job)
{
	if (job->send != NULL)
		job->send(job);
	else
		result_send(job);
}

/*
 * Answer a job whose statements are over while its cleanup runs; take
 * back the job the database is done with, if any.
 */
static void
loop_collect(void)
{
	struct job	*job;

	if ((job = db_take_answerable()) != NULL) {
		loop_answer(job);
		job->answered = true;
	}
	if (loop.done == NULL && (job = db_take_done()) != NULL)
		loop.done = job;
}

/* True while a tool call holds the database or awaits its answer. */
static bool
loop_busy(void)
{
	return db_busy() || loop.done != NULL;
}

/* Answer and audit the finished job; a cancelled one gets no answer. */
static void
loop_finish(void)
{
	struct job	*job = loop.done;

	if (job == NULL)
		return;
	loop.done = NULL;
	/* A cancelled request is not answered, nor one answered already. */
	if (!job->cancelled && !job->answered)
		loop_answer(job);
	audit_job(job, loop.cfg);
	job_free(job);
}

static void
req_free(struct rpc_req *req)
{
	rpc_free(req);
	free(req);
}

/* Handle a request now; takes ownership of req. */
static void
loop_dispatch(struct rpc_req *req)
{
	struct job	*job;

	if (mcp_handle(&loop.session, req, loop.cfg, &job) == 0)
		req_free(req);
	else if (job->failed || job->nsteps == 0) {
		/* Decided, or needing no statement: no database. */
		loop.done = job;
		loop_finish();
	} else
		db_run(job);
}

/* Start queued requests while the database is free. */
static void
loop_drain_queue(void)
{
	struct rpc_req	*req;

	for (;;) {
		loop_collect();
		loop_finish();
		if (loop_busy() || loop.qlen == 0)
			return;
		req = loop.queue[loop.qhead];
		loop.qhead = (loop.qhead + 1) % PENDING_MAX;
		loop.qlen--;
		loop_dispatch(req);
	}
}

/* notifications/cancelled: stop the running or a queued request. */
static void
loop_cancel(struct rpc_req *req)
{
	const char	*id, *qid;
	size_t		 idlen, qidlen, i, j, k;
	struct rpc_req	*q;

	if (!mcp_cancel_target(req, &id, &idlen))
		return;
	if (db_busy() && loop.done == NULL) {
		/* db.c holds the running job; its request is in the job. */
		if (db_cancel_if(id, idlen))
			return;
	}
	for (i = 0; i < loop.qlen; i++) {
		q = loop.queue[(loop.qhead + i) % PENDING_MAX];
		qid = q->id;
		qidlen = q->idlen;
		if (!rpc_id_equal(id, idlen, qid, qidlen))
			continue;
		for (j = i; j + 1 < loop.qlen; j++) {
			k = (loop.qhead + j) % PENDING_MAX;
			loop.queue[k] = loop.queue[(k + 1) % PENDING_MAX];
		}
		loop.qlen--;
		req_free(q);
		return;
	}
}

/* One request line: answer, queue, or act on a notification. */
static void
loop_line(const char *line, size_t len)
{
	struct rpc_req	*req;
	struct error	 err;

	if ((req = calloc(1, sizeof(*req))) == NULL) {
		err_set(&err, RPC_INTERNAL_ERROR, "out of memory");
		rpc_error(NULL, &err);
		return;
	}
	if (rpc_parse(req, line, len, &err) == -1) {
		/* A broken notification gets no answer either. */
		if (req->method == NULL || req->id != NULL)
			rpc_error(req, &err);
		req_free(req);
		return;
	}
	if (req->method == NULL) {
		req_free(req);		/* a response: we asked nothing */
		return;
	}
	switch (mcp_route(req)) {
	case ROUTE_CANCEL:
		loop_cancel(req);
		req_free(req);
		return;
	case ROUTE_DROP:
		req_free(req);
		return;
	case ROUTE_AT_ONCE:
		loop_dispatch(req);
		return;
	case ROUTE_IN_ORDER:
		break;
	}
	if (!loop_busy() && loop.qlen == 0) {
		loop_dispatch(req);
		return;
	}
	if (loop.qlen == PENDING_MAX) {
		err_set(&err, RPC_INTERNAL_ERROR, "too many requests waiting "
		    "(%d); wait for answers before sending more", PENDING_MAX);
		rpc_error(req, &err);
		req_free(req);
		return;
	}
	loop.queue[(loop.qhead + loop.qlen) % PENDING_MAX] = req;
	loop.qlen++;
}

/* Read stdin and handle every complete line. */
static void
loop_input(void)
{
	struct error	 err;
	const char	*line;
	size_t		 len;
	enum io_status	 st;

	st = io_fill();
	if (st == IO_EOF || st == IO_ERROR)
		loop.eof = true;
	for (;;) {
		st = io_next(&line, &len);
		if (st == IO_LINE)
			loop_line(line, len);
		else if (st == IO_TOOLONG) {
			err_set(&err, RPC_INVALID_REQUEST, "request line longer "
			    "than %zu bytes; it was discarded",
			    loop.cfg->max_line);
			rpc_error(NULL, &err);
		} else
			break;
	}
}

/*
 * libpq is loaded (pq.c): the rest of start-up, which ends the process if
 * the connection settings are not valid, then connect in the background;
 * a job already waiting starts once connected.  Without a loader thread,
 * libpq is loaded here first.
 */
static void
loop_libpq(void)
{
	if (loop.with_libpq != NULL)
		loop.with_libpq(loop.cfg);
	loop.libpq = true;
	db_connect_start();
}

/*
 * Start loading libpq on a thread of its own once the first input has
 * been answered or PQ_LOAD_DELAY_MS have passed: loading it alongside
 * start-up made the first answer wait for the processor and the kernel's
 * mappings.
 */
static void
loop_load_libpq(void)
{
	if (loop.libpq || pq_load_fd() != -1 || now_ms() < loop.load_at)
		return;
	if (pq_load_start() == -1)
		loop_libpq();	/* no thread: here and now */
}

int
loop_run(const struct config *cfg, void (*with_libpq)(const struct config *))
{
	struct sigaction sa;
	sigset_t	 block, orig;
	struct pollfd	 pfd[4];
	struct timespec	 ts;
	int		 ms, outflags;
	short		 events;

	/* A new session: nothing is left of an earlier one. */
	memset(&loop, 0, sizeof(loop));
	loop.cfg = cfg;
	loop.with_libpq = with_libpq;
	loop.session.proto = PROTO_HANDSHAKE_LATEST;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* a dead peer is EPIPE */
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Signals arrive only inside ppoll(): no check-then-sleep race. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);

	io_init(cfg->max_line, &orig, &terminate);
	/* A reader that stops reading must not block us: see io.c. */
	if ((outflags = fcntl(STDOUT_FILENO, F_GETFL)) != -1)
		(void)fcntl(STDOUT_FILENO, F_SETFL, outflags | O_NONBLOCK);
	/*
	 * A pipe's 64 KiB buffer makes a large reply cross it in many turns
	 * of both processes; a larger one (if stdout is a pipe and the
	 * system allows it) in a few.  Its pages exist while data waits.
	 */
	(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, OUT_PIPE_SIZE);
	rpc_init((size_t)cfg->max_bytes * REPLY_FACTOR + REPLY_SLACK);
	loop.load_at = now_ms() + PQ_LOAD_DELAY_MS;
	if (with_libpq == NULL)
		loop_libpq();	/* nothing to load (tests/fuzz) */
	for (;;) {
		loop_load_libpq();
		loop_drain_queue();
		if (terminate || io_out_broken() || (loop.eof && !loop_busy() &&
		    loop.qlen == 0))
			break;
		/* Events 0: poll reports only the reader of stdout leaving. */
		pfd[0].fd = STDOUT_FILENO;
		pfd[0].events = 0;
		pfd[1].fd = loop.eof ? -1 : STDIN_FILENO;
		pfd[1].events = POLLIN;
		pfd[2].fd = db_pollfd(&events);	/* -1: none, poll skips it */
		pfd[2].events = events;
		pfd[3].fd = loop.libpq ? -1 : pq_load_fd();
		pfd[3].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		pfd[3].revents = 0;
		ms = db_timeout_ms();
		if (!loop.libpq && pq_load_fd() == -1)
			ms = PQ_LOAD_DELAY_MS;	/* then loop_load_libpq() */
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		if (ppoll(pfd, 4, ms >= 0 ? &ts : NULL, &orig) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			break;		/* nobody reads our answers */
		if (pfd[3].revents != 0)
			loop_libpq();
		if (pfd[1].revents != 0) {
			loop_input();
			loop.load_at = 0;	/* answered: load libpq now */
		}
		/* The descriptor may have changed while reading input. */
		if (pfd[2].fd == -1 || db_pollfd(&events) == pfd[2].fd)
			db_service(pfd[2].revents);
	}
	/* Start-up ends as it would have (bad settings still exit 1). */
	if (!loop.libpq && with_libpq != NULL)
		with_libpq(cfg);

	/* Leaving: stop the running statement, drop what waits. */
	db_close();
	loop_collect();
	if (loop.done != NULL) {
		audit_job(loop.done, cfg);
		job_free(loop.done);
		loop.done = NULL;
	}
	while (loop.qlen > 0) {
		req_free(loop.queue[loop.qhead]);
		loop.qhead = (loop.qhead + 1) % PENDING_MAX;
		loop.qlen--;
	}
	if (outflags != -1)
		(void)fcntl(STDOUT_FILENO, F_SETFL, outflags);
	/* The reader leaving is the normal end; any other failure is not. */
	if (io_out_errno() != 0) {
		errno = io_out_errno();
		audit_notice(cfg, "ERROR", strerror(errno));
		return 1;
	}
	return 0;
}
