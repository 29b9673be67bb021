/*
 * The database runner (db.c's interface in extern.h) with no database
 * behind it, for the request-line target: the real loop, envelope and
 * method table run, and every job that reaches the database is held as
 * "running" until the loop next services the database, then fails as
 * db.c fails a job when no connection can be made.  So requests that
 * arrive meanwhile queue behind it, and a notifications/cancelled can
 * name it, as with a slow real database.
 */
#include <stddef.h>

#include "extern.h"

static struct job	*running;	/* "in the database" */
static struct job	*done;		/* over, not yet taken back */

int
db_init(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

void
db_connect_start(void)
{
}

int
db_pollfd(short *events)
{
	*events = 0;
	return -1;
}

/* A running job is answered at the next turn of the loop: no waiting. */
int
db_timeout_ms(void)
{
	return running != NULL ? 0 : -1;
}

void
db_service(short revents)
{
	(void)revents;
	if (running == NULL || done != NULL)
		return;
	err_set(&running->err, 0, "the database is unavailable: this build "
	    "has none. The next call will try to connect again.");
	running->failed = true;
	done = running;
	running = NULL;
}

void
db_run(struct job *job)
{
	job->started_ms = now_ms();
	running = job;
}

struct job *
db_take_done(void)
{
	struct job	*job = done;

	done = NULL;
	return job;
}

/* No job here ever succeeds, so none is answerable before it is over. */
struct job *
db_take_answerable(void)
{
	return NULL;
}

bool
db_cancel_if(const char *id, size_t idlen)
{
	if (running == NULL || running->req->id == NULL ||
	    !rpc_id_equal(id, idlen, running->req->id, running->req->idlen))
		return false;
	running->cancelled = true;
	done = running;
	running = NULL;
	return true;
}

bool
db_busy(void)
{
	return running != NULL || done != NULL;
}

void
db_close(void)
{
	if (running != NULL) {
		running->cancelled = true;
		done = running;
		running = NULL;
	}
}
