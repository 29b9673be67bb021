/*
 * The job runner, driven by the poll() loop without blocking: one job at
 * a time on the one connection (conn.c), as the transaction script of
 * txn.c (BEGIN READ ONLY, settings, the job's steps, ROLLBACK always,
 * then the clean-up).  The connection is opened in the
 * background so that initialize never waits for it.
 *
 * A job whose BEGIN finds the connection dead (the server restarted while
 * we were idle) reconnects and starts again once; nothing of it had run.
 * A connection to a primary made because the preferred standby did not
 * answer is replaced, before a job, once STANDBY_RETRY_S have passed.
 *
 * Nothing here waits on the network.  A cancel request (PQcancel, which
 * blocks) is sent by a short-lived child process that dies on its own
 * after CANCEL_HELPER_S; nobody waits for it.  The whole call, every FETCH
 * together, has a deadline (--statement-timeout): past it the statement
 * is cancelled and the call answers with the timeout error.  A job that is
 * ending (timed out, cancelled, rolling back) and still has no answer
 * after CANCEL_GRACE_MS gives up the connection: the link is frozen.
 */
#include <sys/types.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "extern.h"

enum db_state {
	DB_DOWN,		/* no connection */
	DB_CONNECTING,		/* PQconnectPoll in progress */
	DB_IDLE,		/* connected, no job */
	DB_BUSY			/* a statement of the job is running */
};

static struct {
	const struct config *cfg;
	PGconn		*conn;		/* conn_pg() while up, else NULL */
	enum db_state	 state;
	uint64_t	 abandon_at;	/* an ending job gives up the link, or 0 */
	bool		 held;		/* ROLLBACK waits for the cancel to land */
	struct job	*job;		/* running or waiting to run */
	struct job	*done;		/* over, for the loop to take */
	enum phase	 phase;
	enum step_next	 next;		/* the running step's callback said */
	bool		 discard;	/* the statement in flight is unwanted */
	struct job	*answerable;	/* statements over: may be answered */
	char		 timeout[32];	/* statement_timeout in ms */
	/* The job's opening statements, sent together (a pipeline): */
	bool		 piped;		/* its sync is still to come */
	struct txn_item	 plan[TXN_OPENING_MAX];	/* what it carries */
	int		 nplan;
	int		 iplan;		/* plan[iplan] is running */
	/*
	 * db.phase goes out after the sync: what the pipeline still carries
	 * is unwanted.
	 */
	bool		 after_sync;
	bool		 begun;		/* the job's BEGIN succeeded */
} db;

static void	db_send_opening(void);

/* The job is over: hand it to the loop (db_take_done). */
static void
db_done(struct job *job)
{
	db.done = job;
	db.answerable = NULL;
}

struct job *
db_take_answerable(void)
{
	struct job	*job = db.answerable;

	db.answerable = NULL;
	return job != NULL && job == db.job && !job->cancelled &&
	    !job->failed && !job->timed_out ? job : NULL;
}

struct job *
db_take_done(void)
{
	struct job	*job = db.done;

	db.done = NULL;
	return job;
}
static void	db_job_end(void);

int
db_init(const struct config *cfg)
{
	db.cfg = cfg;
	snprintf(db.timeout, sizeof(db.timeout), "%lld", cfg->timeout_s * 1000);
	return conn_init(cfg);
}

/*
 * Release the connection; the next job connects again.
 */
static void
db_drop(void)
{
	db.held = false;
	db.discard = false;
	db.piped = db.after_sync = false;
	conn_drop();
	db.conn = NULL;
	db.state = DB_DOWN;
}

/*
 * True once no cancel request is on its way: one still in flight could
 * land on the next statement, so no ROLLBACK and no job goes out before.
 * A helper that failed or was killed by its alarm leaves the link in
 * doubt: an idle one is given up, and the next job connects afresh.
 */
static bool
db_cancel_settled(void)
{
	int	 rc = conn_cancel_settled();

	if (rc == -1 && db.state == DB_IDLE)
		db_drop();
	return rc != 0;
}

/* The job is ending: it has CANCEL_GRACE_MS to be answered. */
static void
db_ending(void)
{
	if (db.abandon_at == 0)
		db.abandon_at = now_ms() + CANCEL_GRACE_MS;
}

/*
 * Notices and warnings from the server: never raw on stderr.  Each is
 * logged escaped on one line; those of the user's statement also reach
 * the model with the result.
 */
static void
db_notice(void *arg, const PGresult *res)
{
	const char	*sev, *msg;
	char		 buf[ERRMSG_MAX];

	(void)arg;
	sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	secret_scrub(msg != NULL ? msg : "", buf, sizeof(buf));
	audit_notice(db.cfg, sev != NULL ? sev : "NOTICE", buf);
	/*
	 * libpq reads a notice as soon as it arrives, maybe before the
	 * results of the statements sent ahead of it: one that comes while
	 * the opening pipeline is open is a step's (BEGIN and the settings
	 * raise none).
	 */
	if (db.job != NULL && (db.phase == PH_STEP || (db.piped &&
	    db.phase < PH_STEP)))
		job_note(db.job, sev != NULL ? sev : "NOTICE", buf);
}

/* Fail the waiting job, if any, because no connection could be made. */
static void
db_connect_failed(const char *why)
{
	struct job	*job = db.job;

	db.job = NULL;
	if (job != NULL) {
		err_set(&job->err, 0, "the database is unavailable: %s. "
		    "The next call will try to connect again.", why);
		job->failed = true;
		db_done(job);
	}
}

void
db_connect_start(void)
{
	char	 why[ERRMSG_MAX];

	/* Not before libpq is loaded: the loop calls again then. */
	if (db.state != DB_DOWN || !pq_ready())
		return;
	if (conn_start(why, sizeof(why)) == -1) {
		db_connect_failed(why);
		return;
	}
	db.conn = conn_pg();
	PQsetNoticeReceiver(db.conn, db_notice, NULL);
	db.state = DB_CONNECTING;
}

int
db_pollfd(short *events)
{
	uint64_t	 deadline;

	switch (db.state) {
	case DB_CONNECTING:
		return conn_connect_fd(events, &deadline);
	case DB_BUSY:
		*events = POLLIN;
		if (PQisnonblocking(db.conn) && PQflush(db.conn) == 1)
			*events |= POLLOUT;
		return PQsocket(db.conn);
	default:
		*events = 0;
		return -1;
	}
}

/* The job's call deadline, while it still counts: 0 when it does not. */
static uint64_t
db_call_deadline(void)
{
	struct job	*job = db.job;

	if (db.state != DB_BUSY || job == NULL || job->timed_out ||
	    job->cancelled || db.phase >= PH_ROLLBACK)
		return 0;
	return job->deadline_ms;
}

int
db_timeout_ms(void)
{
	uint64_t	 now, at = 0, t;
	short		 events;

	if (db.state == DB_CONNECTING)
		(void)conn_connect_fd(&events, &at);
	if ((t = db_call_deadline()) != 0 && (at == 0 || t < at))
		at = t;
	if (db.abandon_at != 0 && (at == 0 || db.abandon_at < at))
		at = db.abandon_at;
	/* A cancel in flight: look again soon (its exit wakes nothing). */
	if (conn_cancel_pending())
		return CANCEL_POLL_MS;
	if (at == 0)
		return -1;
	now = now_ms();
	return at > now ? (int)(at - now) : 0;
}

/*
 * Start the job on an idle connection; its deadline counts from now.  It
 * waits (the clock polls) while a cancel is on its way, and connects
 * afresh if the link had to be given up.
 */
static void
db_begin(void)
{
	if (!db_cancel_settled())
		return;
	if (db.state == DB_IDLE && conn_standby_due())
		db_drop();	/* the standby may be back: it is tried first */
	if (db.state == DB_DOWN) {
		db_connect_start();
		return;
	}
	db.job->deadline_ms = now_ms() + (uint64_t)db.cfg->timeout_s * 1000;
	db.state = DB_BUSY;
	db_send_opening();
}

/* Advance the connect; once up, start the waiting job. */
static void
db_connect_poll(short revents)
{
	char	 why[ERRMSG_MAX];

	switch (conn_poll(revents, why, sizeof(why))) {
	case 1:
		txn_connected();
		db.state = DB_IDLE;
		if (db.job != NULL)
			db_begin();
		break;
	case -1:
		db.conn = NULL;
		db.state = DB_DOWN;
		db_connect_failed(why);
		break;
	default:
		break;
	}
}

/*
 * Record a PostgreSQL error of the running statement on the job: message,
 * SQLSTATE, detail, hint and, for the user's statement, the position.
 */
static void
db_job_error(const PGresult *res)
{
	struct job	*job = db.job;
	const char	*pos, *e;
	long long	 p;

	if (job->failed)
		return;		/* keep the first error */
	if (conn_oom(PQresultErrorMessage(res))) {
		job_too_large(job, db.cfg->max_memory_mb);
		return;
	}
	pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	p = pos != NULL ? strtonum(pos, 1, INT32_MAX, &e) : 0;
	/* A position counts only inside the user's own text. */
	if (pos == NULL || e != NULL || db.phase != PH_STEP ||
	    job->cur != job->user_step || job->sql == NULL ||
	    p <= (long long)job->user_prefix)
		p = 0;
	else
		p -= (long long)job->user_prefix;
	job_pg_error(job, PQresultErrorField(res, PG_DIAG_SQLSTATE),
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
	    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
	    PQresultErrorField(res, PG_DIAG_MESSAGE_HINT), (size_t)p);
}

/* The connection broke under a job: fail it, or retry a fresh one. */
static void
db_lost(void)
{
	struct job	*job = db.job;
	char		 why[ERRMSG_MAX];

	strlcpy(why, conn_errmsg(), sizeof(why));
	db_drop();
	if (!db.begun && !job->retried && !job->cancelled) {
		/* Nothing of the job ran: the link had died while idle. */
		job->retried = true;
		job_clear_error(job);
		db_connect_start();
		return;
	}
	if (!job->failed && !job->cancelled && conn_oom(why))
		job_too_large(job, db.cfg->max_memory_mb);
	else if (!job->failed && !job->cancelled) {
		job->failed = true;
		err_set(&job->err, 0, "the connection to the database was "
		    "lost (%s). The next call will reconnect.", why);
	}
	db.job = NULL;
	db.abandon_at = 0;
	db_done(job);
}

/* Send the statement of the current phase; on failure the link is gone. */
static void
db_send(void)
{
	db.next = STEP_NEXT;
	/* Non-blocking: what did not fit in the socket is flushed later. */
	if (txn_send(db.conn, db.job, db.phase, db.job->cur, db.timeout) == -1 ||
	    PQflush(db.conn) == -1)
		db_lost();
}

/*
 * Send the job's opening statements (txn_opening) in one pipeline: one
 * round trip instead of one each.  Their results come in order, each
 * ended by a NULL from PQgetResult, and then the pipeline's sync.  The
 * server holds its replies until asked to flush them: it is asked after
 * the settings too, so that the job's steps count as started (db_clock)
 * once they are.
 */
static void
db_send_opening(void)
{
	int	 i, ok;

	db.nplan = txn_opening(db.job, db.plan);
	db.iplan = 0;
	db.begun = false;
	db.phase = PH_BEGIN;
	db.next = STEP_NEXT;
	if (PQenterPipelineMode(db.conn) == 0) {
		db_lost();
		return;
	}
	db.piped = true;
	for (i = 0; i < db.nplan; i++) {
		ok = txn_send(db.conn, db.job, db.plan[i].phase,
		    db.plan[i].step, db.timeout) == 0;
		if (ok && db.plan[i].phase == PH_SETTINGS)
			ok = PQsendFlushRequest(db.conn);
		if (!ok) {
			db_lost();
			return;
		}
	}
	if (PQpipelineSync(db.conn) == 0 || PQflush(db.conn) == -1)
		db_lost();
}

/*
 * Send the statement db_advance chose, unless the pipeline carries it
 * already.  While the pipeline is open, one it does not carry waits for
 * its sync, and what it carries from then on is unwanted (the job went
 * another way: it failed).  A ROLLBACK waits for a cancel still on its
 * way, which could land on it: PostgreSQL would refuse the ROLLBACK and
 * leave the transaction open.
 */
static void
db_dispatch(void)
{
	const struct txn_item	*p = &db.plan[db.iplan + 1];

	if (db.piped) {
		if (db.iplan + 1 < db.nplan && p->phase == db.phase &&
		    (p->phase != PH_STEP || p->step == db.job->cur)) {
			db.iplan++;
			db.next = STEP_NEXT;
			return;
		}
		db.after_sync = true;
		return;
	}
	if (db.phase == PH_ROLLBACK && !db_cancel_settled()) {
		db.held = true;
		return;
	}
	db_send();
}

/* The pipeline's sync: it is over; send what waited for it. */
static void
db_synced(void)
{
	db.piped = false;
	if (PQexitPipelineMode(db.conn) == 0) {
		db_lost();
		return;
	}
	if (db.after_sync) {
		db.after_sync = false;
		db_dispatch();
	}
}

/* One statement finished; choose what runs next. */
static void
db_advance(enum step_next next)
{
	struct job	*job = db.job;

	if (next == STEP_FAIL && !job->failed) {
		job->failed = true;
		err_set(&job->err, 0, "internal error in %s", job->tool);
	}
	if ((db.phase = txn_next(job, db.phase, next)) == PH_DONE) {
		db_job_end();
		return;
	}
	if (db.phase == PH_ROLLBACK) {
		/* Its results are final: the loop may answer during cleanup. */
		if (!job->failed && !job->cancelled && !job->timed_out)
			db.answerable = job;
		db_ending();
	}
	db_dispatch();
}

/*
 * The job is over (rolled back); hand it to the loop.  A session that is
 * not outside every transaction now (a ROLLBACK refused) is not reused.
 */
static void
db_job_end(void)
{
	struct job	*job = db.job;

	db.job = NULL;
	db.state = DB_IDLE;
	db.abandon_at = 0;
	if (PQtransactionStatus(db.conn) != PQTRANS_IDLE)
		db_drop();
	db_done(job);
}

/*
 * STEP_EARLY: send the step's statement again, then let its late callback
 * work on the result res (freed here) while the server runs it; the late
 * callback may read what arrives meanwhile (PQconsumeInput).  If it wants
 * no more, the result in flight is dropped.  True if that result is
 * already complete in libpq's buffer: no poll would announce it.
 */
static bool
db_early(PGresult *res)
{
	struct job	*job = db.job;
	enum step_next	 next;

	db_advance(STEP_AGAIN);
	/* Failed, cancelled or lost on the way: the rows are not wanted. */
	if (db.job != job || db.phase != PH_STEP || db.held) {
		PQclear(res);
		return false;
	}
	next = job->steps[job->cur].late(job, db.conn, res);
	PQclear(res);
	if (next != STEP_AGAIN) {
		db.discard = true;
		db.next = next;
	}
	return db.state == DB_BUSY && !PQisBusy(db.conn);
}

/*
 * Take the results of the running statement that libpq holds; once it is
 * over, go on.  True if the next statement's results may already be in.
 */
static bool
db_collect(void)
{
	struct job	*job = db.job;
	PGresult	*res, *early = NULL;
	step_cb		 cb;

	for (;;) {
		if (PQisBusy(db.conn))
			return false;
		if ((res = PQgetResult(db.conn)) == NULL)
			break;
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(res);
			db_synced();
			return false;
		case PGRES_PIPELINE_ABORTED:
			/* Skipped after an error already taken. */
			break;
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			if (db.phase == PH_BEGIN)
				db.begun = true;
			if (db.discard || db.after_sync)
				break;
			txn_result(job, db.phase, res);
			cb = db.phase == PH_STEP ?
			    job->steps[job->cur].cb : NULL;
			if (cb != NULL && !job->failed && !job->timed_out)
				db.next = cb(job, db.conn, res);
			/* Kept for the late callback, after the next send. */
			if (db.next == STEP_EARLY && early == NULL) {
				early = res;
				res = NULL;
			}
			break;
		case PGRES_COPY_OUT:
		case PGRES_COPY_IN:
		case PGRES_COPY_BOTH:
			/* Never ours to run; drop the link rather than drain. */
			PQclear(res);
			PQclear(early);
			err_set(&job->err, 0, "COPY is not allowed");
			job->failed = true;
			db_lost();
			return false;
		default:
			if (!db.discard && !db.after_sync)
				db_job_error(res);
			break;
		}
		PQclear(res);
	}
	if (PQstatus(db.conn) == CONNECTION_BAD) {
		PQclear(early);
		db_lost();
		return false;
	}
	db.discard = false;
	if (db.after_sync)
		return true;	/* on to the sync */
	if (early != NULL && job->steps[job->cur].late != NULL)
		return db_early(early);
	PQclear(early);
	db_advance(db.next == STEP_EARLY ? STEP_FAIL : db.next);
	/* In a pipeline the next statement is on its way already. */
	return db.job == job && db.piped;
}

/*
 * Read every result that has arrived for the running statement; the
 * statement is over when PQgetResult() returns NULL, which may take
 * several reads.
 */
static void
db_results(short revents)
{
	if (db.held) {
		/* Nothing is running: send the held ROLLBACK once it may go. */
		if (!db_cancel_settled())
			return;
		db.held = false;
		db_send();
		return;
	}
	if (revents & POLLOUT && PQflush(db.conn) == -1) {
		db_lost();
		return;
	}
	if (!(revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	if (!PQconsumeInput(db.conn)) {
		db_lost();
		return;
	}
	while (db_collect())
		continue;
}

/*
 * The clock: past the call's deadline, cancel and answer with the
 * timeout error; an ending job past its grace gives up the link.
 */
static void
db_clock(void)
{
	struct job	*job = db.job;
	uint64_t	 now = now_ms(), at;

	if (db.abandon_at != 0 && now >= db.abandon_at && job != NULL &&
	    db.state == DB_BUSY) {
		db_drop();
		db.abandon_at = 0;
		db.job = NULL;
		db_done(job);
		return;
	}
	if ((at = db_call_deadline()) == 0 || now < at)
		return;
	job->timed_out = true;
	if (!job->failed && db.phase < PH_STEP) {
		/* Not the query's fault: nothing of it had started. */
		job->failed = true;
		err_set(&job->err, 0, "the database did not start this call "
		    "within the statement timeout (%lld s): it is unreachable "
		    "or overloaded, or a connection pooler in between has no "
		    "server connection to give.  Nothing of the call ran; try "
		    "again later.", db.cfg->timeout_s);
	} else if (!job->failed)
		job_pg_error(job, "57014", "canceling statement due to "
		    "statement timeout", NULL, NULL, 0);
	conn_cancel();
	db_ending();
}

void
db_service(short revents)
{
	if (db.state == DB_CONNECTING)
		db_connect_poll(revents);
	else if (db.state == DB_BUSY)
		db_results(revents);
	else if (db.state == DB_IDLE && db.job != NULL)
		db_begin();		/* waiting for a cancel to settle */
	if (db.state == DB_BUSY)
		db_clock();
	/* Reap the helpers nobody waits for, so that none stays a zombie. */
	if (db.job == NULL)
		(void)db_cancel_settled();
	conn_reap();
}

void
db_run(struct job *job)
{
	db.job = job;
	job->started_ms = now_ms();
	switch (db.state) {
	case DB_DOWN:
		db_connect_start();
		break;
	case DB_IDLE:
		db_begin();
		break;
	default:
		break;		/* connecting: starts when connected */
	}
}

bool
db_busy(void)
{
	/* A job over but not yet taken back still holds the runner. */
	return db.job != NULL || db.done != NULL;
}

bool
db_cancel_if(const char *id, size_t idlen)
{
	struct job	*job = db.job;

	if (job == NULL || job->req->id == NULL ||
	    !rpc_id_equal(id, idlen, job->req->id, job->req->idlen))
		return false;
	/* Answered already: only its cleanup runs, which nothing stops. */
	if (job->answered)
		return true;
	job->cancelled = true;
	if (db.state == DB_BUSY) {
		conn_cancel();
		db_ending();
	} else {
		/* Still waiting for a connection: nothing ran. */
		db.job = NULL;
		db_done(job);
	}
	return true;
}

void
db_close(void)
{
	struct job	*job = db.job;

	if (db.state == DB_BUSY)
		conn_cancel();
	if (db.conn != NULL)
		db_drop();
	if (job != NULL) {
		job->cancelled = true;
		db.job = NULL;
		db_done(job);
	}
}

