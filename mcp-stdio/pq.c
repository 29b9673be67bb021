/*
 * libpq, loaded on a thread of its own while start-up goes on and the
 * handshake is answered.  libpq and the two dozen libraries it needs
 * (OpenSSL, GnuTLS, Kerberos, LDAP) take several times longer to map and
 * link than the rest of the program takes to answer initialize, and
 * initialize needs none of them.
 *
 * The functions the program calls are defined here under libpq's own
 * names, with libpq-fe.h's prototypes (the compiler holds them to it),
 * and call libpq's through pointers; the binary does not link libpq, so
 * a function missing from PQ_FUNCTIONS is a link error.  Each waits for
 * the load first, so no caller needs to know: the loop only learns when
 * the load is over (pq_load_fd) to check the connection settings and
 * start connecting.
 */
#include <sys/types.h>

#include <dlfcn.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "extern.h"

/* libpq's soname: its ABI has been 5 since PostgreSQL 8.0. */
#define PQ_LIBRARY	"libpq.so.5"
/* The loader's stack: dlopen and the libraries' constructors. */
#define PQ_STACK	(1024 * 1024)

/*
 * Every libpq function the program calls: F for those that return a
 * value, V for void ones; the return type, the name, the parameters as
 * declared and the arguments to pass on.
 */
#define PQ_FUNCTIONS(F, V) \
	F(int, PQcancel, (PGcancel *c, char *b, int n), (c, b, n)) \
	V(PQclear, (PGresult *r), (r)) \
	F(PQconninfoOption *, PQconndefaults, (void), ()) \
	F(PostgresPollingStatusType, PQconnectPoll, (PGconn *c), (c)) \
	F(PGconn *, PQconnectStartParams, (const char *const *k, \
	    const char *const *v, int e), (k, v, e)) \
	F(PGconn *, PQconnectdbParams, (const char *const *k, \
	    const char *const *v, int e), (k, v, e)) \
	F(PQconninfoOption *, PQconninfo, (PGconn *c), (c)) \
	V(PQconninfoFree, (PQconninfoOption *o), (o)) \
	F(PQconninfoOption *, PQconninfoParse, (const char *s, char **e), \
	    (s, e)) \
	F(int, PQconsumeInput, (PGconn *c), (c)) \
	F(int, PQenterPipelineMode, (PGconn *c), (c)) \
	F(char *, PQerrorMessage, (const PGconn *c), (c)) \
	F(char *, PQescapeIdentifier, (PGconn *c, const char *s, size_t n), \
	    (c, s, n)) \
	F(PGresult *, PQexecParams, (PGconn *c, const char *q, int n, \
	    const Oid *t, const char *const *v, const int *l, const int *f, \
	    int r), (c, q, n, t, v, l, f, r)) \
	F(int, PQexitPipelineMode, (PGconn *c), (c)) \
	V(PQfinish, (PGconn *c), (c)) \
	F(int, PQflush, (PGconn *c), (c)) \
	F(int, PQfmod, (const PGresult *r, int i), (r, i)) \
	F(char *, PQfname, (const PGresult *r, int i), (r, i)) \
	F(int, PQfnumber, (const PGresult *r, const char *s), (r, s)) \
	V(PQfreeCancel, (PGcancel *c), (c)) \
	V(PQfreemem, (void *p), (p)) \
	F(Oid, PQftype, (const PGresult *r, int i), (r, i)) \
	F(PGcancel *, PQgetCancel, (PGconn *c), (c)) \
	F(PGresult *, PQgetResult, (PGconn *c), (c)) \
	F(int, PQgetisnull, (const PGresult *r, int t, int f), (r, t, f)) \
	F(int, PQgetlength, (const PGresult *r, int t, int f), (r, t, f)) \
	F(char *, PQgetvalue, (const PGresult *r, int t, int f), (r, t, f)) \
	F(int, PQisBusy, (PGconn *c), (c)) \
	F(int, PQisnonblocking, (const PGconn *c), (c)) \
	F(int, PQnfields, (const PGresult *r), (r)) \
	F(int, PQntuples, (const PGresult *r), (r)) \
	F(const char *, PQparameterStatus, (const PGconn *c, const char *s), \
	    (c, s)) \
	F(int, PQpipelineSync, (PGconn *c), (c)) \
	F(char *, PQresultErrorField, (const PGresult *r, int i), (r, i)) \
	F(char *, PQresultErrorMessage, (const PGresult *r), (r)) \
	F(ExecStatusType, PQresultStatus, (const PGresult *r), (r)) \
	F(int, PQsendFlushRequest, (PGconn *c), (c)) \
	F(int, PQsendQuery, (PGconn *c, const char *q), (c, q)) \
	F(int, PQsendQueryParams, (PGconn *c, const char *q, int n, \
	    const Oid *t, const char *const *v, const int *l, const int *f, \
	    int r), (c, q, n, t, v, l, f, r)) \
	F(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *c, \
	    PQnoticeReceiver p, void *a), (c, p, a)) \
	F(int, PQsetnonblocking, (PGconn *c, int a), (c, a)) \
	F(int, PQsocket, (const PGconn *c), (c)) \
	F(ConnStatusType, PQstatus, (const PGconn *c), (c)) \
	F(PGTransactionStatusType, PQtransactionStatus, (const PGconn *c), (c))

#define POINTER(ret, name, params, args)	ret (*name) params;
#define VOID_POINTER(name, params, args)	void (*name) params;

static struct {
	pthread_t	 thread;
	bool		 started;	/* the loader runs, or ran unjoined */
	bool		 loaded;	/* every pointer is set (the loader's) */
	bool		 ready;		/* loaded, and the loader joined */
	int		 fd[2];		/* the loader writes a byte when done */
	char		 error[256];	/* why the load failed */
	struct {
		PQ_FUNCTIONS(POINTER, VOID_POINTER)
	} fn;
} pq = { .fd = { -1, -1 } };

/* Set pointer *slot to libpq's function name; false if it has none. */
static bool
pq_symbol(void *lib, const char *name, void *slot)
{
	void	*sym;

	if ((sym = dlsym(lib, name)) == NULL) {
		snprintf(pq.error, sizeof(pq.error), "%s has no %s",
		    PQ_LIBRARY, name);
		return false;
	}
	/* POSIX: a function's address converts through void *. */
	memcpy(slot, &sym, sizeof(sym));
	return true;
}

#define LOOKUP(ret, name, params, args) \
	if (!pq_symbol(lib, #name, &pq.fn.name)) \
		return;
#define VOID_LOOKUP(name, params, args)	LOOKUP(void, name, params, args)

/* Load libpq and look up every function; pq.loaded says if it worked. */
static void
pq_load(void)
{
	void	*lib;
	char	*e;

	if ((lib = dlopen(PQ_LIBRARY, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		strlcpy(pq.error, e != NULL ? e : PQ_LIBRARY,
		    sizeof(pq.error));
		return;
	}
	PQ_FUNCTIONS(LOOKUP, VOID_LOOKUP)
	pq.loaded = true;
}

static void *
pq_loader(void *arg)
{
	ssize_t	 n;

	(void)arg;
	pq_load();
	do
		n = write(pq.fd[1], "", 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

int
pq_load_start(void)
{
	pthread_attr_t	 attr;

	if (pipe2(pq.fd, O_CLOEXEC) == -1)
		return -1;
	if (pthread_attr_init(&attr) == 0) {
		if (pthread_attr_setstacksize(&attr, PQ_STACK) == 0 &&
		    pthread_create(&pq.thread, &attr, pq_loader, NULL) == 0)
			pq.started = true;
		pthread_attr_destroy(&attr);
	}
	if (pq.started)
		return 0;
	close(pq.fd[0]);
	close(pq.fd[1]);
	pq.fd[0] = pq.fd[1] = -1;
	return -1;
}

int
pq_load_fd(void)
{
	return pq.started ? pq.fd[0] : -1;
}

bool
pq_ready(void)
{
	return pq.ready;
}

int
pq_wait(char *why, size_t whysz)
{
	if (pq.started) {
		(void)pthread_join(pq.thread, NULL);
		pq.started = false;
		close(pq.fd[0]);
		close(pq.fd[1]);
		pq.fd[0] = pq.fd[1] = -1;
	} else if (!pq.loaded && pq.error[0] == '\0')
		pq_load();	/* never started: load it here and now */
	/* What the loader wrote is read only once it is joined. */
	if ((pq.ready = pq.loaded))
		return 0;
	snprintf(why, whysz, "cannot load %s: %s", PQ_LIBRARY, pq.error);
	return -1;
}

/*
 * Every wrapper waits for the load.  Start-up waits for it before any
 * statement (main.c), where a libpq that could not be loaded ends the
 * process; one that a wrapper finds missing ends it the same way.
 */
static void
pq_need(void)
{
	char	 why[ERRMSG_MAX];

	if (!pq.ready && pq_wait(why, sizeof(why)) == -1)
		errx(1, "%s", why);
}

#define WRAPPER(ret, name, params, args) \
	ret name params { pq_need(); return pq.fn.name args; }
#define VOID_WRAPPER(name, params, args) \
	void name params { pq_need(); pq.fn.name args; }

PQ_FUNCTIONS(WRAPPER, VOID_WRAPPER)
