/*
 * analytics-mcp: a read-only Model Context Protocol server for PostgreSQL
 * speaking newline-delimited JSON-RPC on stdin and stdout.
 *
 * Start-up only: read options and environment, check every value, then
 * hand over to the loop.  Only this file may exit with err(3).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "extern.h"

static const char usage_text[] =
    "usage: analytics-mcp [--check] [--dsn DSN] [--db-user ROLE] "
    "[--caller NAME]\n"
    "                     [--schemas LIST] [--max-rows N] [--max-bytes N]\n"
    "                     [--max-cell N] [--max-line N] [--max-memory MIB]\n"
    "                     [--statement-timeout SECONDS] [--audit-log FILE]\n"
    "                     [--callers-file FILE] [--require-key-caller]\n"
    "       analytics-mcp -h | --help | --version\n"
    "\n"
    "  --dsn DSN                 PostgreSQL connection string (else "
    "DATABASE_URL,\n"
    "                            else libpq's PG* variables)\n"
"  --db-user ROLE            connect as this role, whatever the DSN says\n"
    "  --caller NAME             who is asking (default: the ssh key's name in\n"
    "                            the callers file, the socket peer, the\n"
    "                            login name)\n"
    "  --schemas LIST            readable schemas, comma-separated\n"
    "                            (default: reporting,tracksolid,tickets,"
    "fuel)\n"
    "  --max-rows N              ceiling for max_rows (default 10000)\n"
    "  --max-bytes N             output budget for rows, in bytes "
    "(default 40000)\n"
    "  --max-cell N              longest value shown whole, in bytes "
    "(default " STR(CELL_DEFAULT) ")\n"
    "  --max-line N              longest request line, in bytes "
    "(default 4194304)\n"
    "  --max-memory MIB          cap on the process's data memory "
    "(default " STR(MEMORY_DEFAULT_MB) ")\n"
    "  --statement-timeout SECONDS  per call (default 30)\n"
    "  --audit-log FILE          also append JSON audit lines to FILE\n"
    "  --callers-file FILE       ssh key fingerprints to callers (default\n"
    "                            " CALLERS_FILE_DEFAULT ")\n"
    "  --require-key-caller      without --caller, refuse a session whose\n"
    "                            ssh key is not in the callers file\n"
    "  --check                   connect, print the server's facts, exit "
    "0 or 1\n"
    "  -h, --help                print this help\n"
    "  --version                 print the version\n"
    "\n"
    "Environment (options override it):\n"
    "  DATABASE_URL              the DSN when --dsn is not given\n"
    "  PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSFILE, PGSERVICE,\n"
    "  PGSERVICEFILE, PGSSLMODE and libpq's other PG* variables\n"
    "                            what the DSN leaves unsaid\n"
    "  PGPASSWORD                honoured by libpq and kept out of every\n"
    "                            message; prefer ~/.pgpass\n"
    "  MCP_READABLE_SCHEMAS      as --schemas\n"
    "  MCP_MAX_ROWS              as --max-rows\n"
    "  MCP_MAX_BYTES             as --max-bytes\n"
    "  MCP_MAX_CELL              as --max-cell\n"
    "  MCP_MAX_LINE              as --max-line\n"
    "  MCP_MAX_MEMORY            as --max-memory\n"
    "  MCP_STATEMENT_TIMEOUT     as --statement-timeout\n"
    "  MCP_AUDIT_LOG             as --audit-log\n"
    "  SSH_USER_AUTH             sshd's record of the key used "
    "(ExposeAuthInfo),\n"
    "                            looked up in the callers file\n"
    "  SSH_CONNECTION, SOCAT_PEERADDR\n"
    "                            the peer's address in the audit lines\n"
    "\n"
    "MCP clients start it with JSON-RPC on standard input and output; "
    "started\n"
    "on a terminal it says so on standard error, and Ctrl-D ends it.  "
    "See\n"
    "analytics-mcp(1).\n";

/* Said on stderr when standard input is a terminal: a person, not a client. */
static const char terminal_text[] =
    MCP_NAME " " MCP_VERSION ": a read-only MCP server for PostgreSQL.\n"
    "It speaks JSON-RPC, one message per line, on standard input and "
    "output,\n"
    "and waits for an MCP client to send an initialize request.  Ctrl-D "
    "ends it;\n"
    "analytics-mcp --help lists the options.\n";

enum {
	OPT_DSN = 256, OPT_DB_USER, OPT_CALLER, OPT_SCHEMAS, OPT_MAX_ROWS,
	OPT_MAX_BYTES, OPT_MAX_CELL, OPT_MAX_LINE, OPT_MAX_MEMORY, OPT_TIMEOUT,
	OPT_AUDIT, OPT_CALLERS, OPT_REQUIRE_KEY,
	OPT_CHECK, OPT_HELP, OPT_VERSION
};

static const struct option longopts[] = {
	{ "dsn",		required_argument, NULL, OPT_DSN },
	{ "db-user",		required_argument, NULL, OPT_DB_USER },
	{ "caller",		required_argument, NULL, OPT_CALLER },
	{ "schemas",		required_argument, NULL, OPT_SCHEMAS },
	{ "max-rows",		required_argument, NULL, OPT_MAX_ROWS },
	{ "max-bytes",		required_argument, NULL, OPT_MAX_BYTES },
	{ "max-cell",		required_argument, NULL, OPT_MAX_CELL },
	{ "max-line",		required_argument, NULL, OPT_MAX_LINE },
	{ "max-memory",		required_argument, NULL, OPT_MAX_MEMORY },
	{ "statement-timeout",	required_argument, NULL, OPT_TIMEOUT },
	{ "audit-log",		required_argument, NULL, OPT_AUDIT },
	{ "callers-file",	required_argument, NULL, OPT_CALLERS },
	{ "require-key-caller",	no_argument,	   NULL, OPT_REQUIRE_KEY },
	{ "check",		no_argument,	   NULL, OPT_CHECK },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ NULL,			0,		   NULL, 0 }
};

static void __attribute__((noreturn))
usage(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

/* A number from argv or the environment, or exit naming its source. */
static long long
number(const char *what, const char *s, long long min, long long max)
{
	const char	*e;
	long long	 n;

	n = strtonum(s, min, max, &e);
	if (e != NULL)
		errx(1, "%s: %s is %s (allowed: %lld to %lld)", what, s, e,
		    min, max);
	return n;
}

/* Names as PostgreSQL folds them unquoted: letters, digits, _ and $. */
static bool
valid_schema(const char *s)
{
	size_t	 i;

	if (*s == '\0' || strlen(s) > NAME_MAX_BYTES ||
	    !(islower((unsigned char)*s) || *s == '_'))
		return false;
	for (i = 1; s[i] != '\0'; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '$')
			return false;
	return true;
}

/* Split LIST into cfg->schemas and the text[] literal used as $1. */
static void
parse_schemas(struct config *cfg, const char *list)
{
	char	*copy, *s, *p;
	size_t	 size, i;

	if ((copy = strdup(list)) == NULL)
		err(1, NULL);
	for (p = copy; (s = strsep(&p, ",")) != NULL; ) {
		while (isspace((unsigned char)*s))
			s++;
		s[strcspn(s, " \t")] = '\0';
		if (*s == '\0')
			continue;
		if (!valid_schema(s))
			errx(1, "--schemas: \"%s\" is not a plain lower-case "
			    "schema name", s);
		if (cfg->nschemas == SCHEMAS_MAX)
			errx(1, "--schemas: more than %d schemas", SCHEMAS_MAX);
		cfg->schemas[cfg->nschemas++] = s;
	}
	if (cfg->nschemas == 0)
		errx(1, "--schemas: no schema given");
	size = cfg->nschemas * (NAME_MAX_BYTES + 3) + 3;
	if ((cfg->schemas_array = malloc(size)) == NULL)
		err(1, NULL);
	strlcpy(cfg->schemas_array, "{", size);
	for (i = 0; i < cfg->nschemas; i++) {
		if (i > 0)
			strlcat(cfg->schemas_array, ",", size);
		strlcat(cfg->schemas_array, cfg->schemas[i], size);
	}
	strlcat(cfg->schemas_array, "}", size);
}

/* The client's address as sshd or socat tell it, else "local". */
static const char *
peer_address(void)
{
	static char	 buf[64];
	const char	*s;

	if ((s = getenv("SSH_CONNECTION")) != NULL && *s != '\0') {
		strlcpy(buf, s, sizeof(buf));
		buf[strcspn(buf, " ")] = '\0';
		return buf;
	}
	if ((s = getenv("SOCAT_PEERADDR")) != NULL && *s != '\0') {
		strlcpy(buf, s, sizeof(buf));
		return buf;
	}
	return "local";
}

/*
 * A URI's password as written (percent-encoded) is a secret too: the
 * text between the first ':' and the '@' of the authority.
 */
static void
secret_add_uri_password(const char *dsn)
{
	const char	*p, *at, *colon;
	size_t		 n;

	if (strncmp(dsn, "postgresql://", 13) == 0)
		p = dsn + 13;
	else if (strncmp(dsn, "postgres://", 11) == 0)
		p = dsn + 11;
	else
		return;
	n = strcspn(p, "/?");
	if ((at = memrchr(p, '@', n)) == NULL ||
	    (colon = memchr(p, ':', (size_t)(at - p))) == NULL)
		return;
	secret_add(colon + 1, (size_t)(at - colon - 1));
}

/*
 * Check a connection string from what (--dsn or DATABASE_URL) the way
 * libpq will read it, without ever quoting it: libpq's own parse errors
 * quote the string, password included.  Its password becomes a secret.
 */
static void
check_dsn(const char *what, const char *dsn)
{
	PQconninfoOption *opts, *o;
	char		*msg = NULL;

	if ((opts = PQconninfoParse(dsn, &msg)) == NULL) {
		PQfreemem(msg);
		errx(1, "%s: not a valid connection string (see "
		    "analytics-mcp(1))", what);
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0') {
			secret_add(o->val, strlen(o->val));
			warnx("%s holds a password; prefer ~/.pgpass or a "
			    "service file (see analytics-mcp(1))", what);
		}
	PQconninfoFree(opts);
	secret_add_uri_password(dsn);
}

/*
 * Take the DSN out of argv: a password in it would be visible to every
 * local user in ps(1).
 */
static const char *
take_dsn(char *arg)
{
	char	*dsn;

	if ((dsn = strdup(arg)) == NULL)
		err(1, NULL);
	explicit_bzero(arg, strlen(arg));
	return dsn;
}

/*
 * What libpq will read: --dsn, else DATABASE_URL, then the PG* variables
 * and the service file they name.  PQconndefaults() applies the latter
 * and fails, saying nothing, when they are not valid.
 */
static void
check_environment(const struct config *cfg)
{
	PQconninfoOption *opts;
	const char	*s;

	if ((s = getenv("PGPASSWORD")) != NULL && *s != '\0')
		secret_add(s, strlen(s));
	if (cfg->dsn != NULL)
		check_dsn("--dsn", cfg->dsn);
	else if ((s = getenv("DATABASE_URL")) != NULL && *s != '\0')
		check_dsn("DATABASE_URL", s);
	if ((opts = PQconndefaults()) == NULL)
		errx(1, "the PG* environment variables or the service file "
		    "they name are not valid (see analytics-mcp(1))");
	PQconninfoFree(opts);
}

/*
 * The rest of start-up, once libpq is loaded (pq.c): right away for
 * --check; while serving, once the loop has had libpq loaded on a thread
 * of its own (loop.c), before any statement.  Nothing has used a
 * connection setting yet.
 */
static void
start_with_libpq(const struct config *cfg)
{
	char	 why[ERRMSG_MAX];

	if (pq_wait(why, sizeof(why)) == -1)
		errx(1, "%s", why);
	check_environment(cfg);
}

/*
 * No core file and no same-uid ptrace or /proc/PID/mem: the password
 * and the analysts' data stay inside the process.
 */
static void
harden(void)
{
	struct rlimit	 rl = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		err(1, "prctl(PR_SET_DUMPABLE)");
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		err(1, "setrlimit(RLIMIT_CORE)");
}

/*
 * Cap the data memory (heap and private mappings, RLIMIT_DATA): a row too
 * large to receive becomes libpq's out-of-memory error for that call.
 * AddressSanitizer maps far more than any cap and is left alone.
 */
static void
cap_memory(long long mb)
{
#if !defined(__SANITIZE_ADDRESS__)
	struct rlimit	 rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)mb * 1024 * 1024;
	if (setrlimit(RLIMIT_DATA, &rl) == -1)
		err(1, "setrlimit(RLIMIT_DATA)");
#else
	(void)mb;
#endif
	/*
	 * Free heap is kept for the next call, up to HEAP_KEEP, rather than
	 * returned to the system and faulted in again, page by page, by
	 * every large result (libpq's result blocks: 500 page faults, over
	 * a millisecond, for 10,000 rows).  Setting it also fixes glibc's
	 * mmap threshold at its default, 128 KiB, where it would rise with
	 * what was freed: larger blocks stay mappings of their own, which
	 * grow in place (the rows, kept by job.c) and leave no copies
	 * behind in the heap.
	 */
	(void)mallopt(M_TRIM_THRESHOLD, HEAP_KEEP);
}

int
main(int argc, char *argv[])
{
	static struct config cfg;	/* lives as long as the process */
	const char	*s, *schemas = "reporting,tracksolid,tickets,fuel";
	const char	*callers_file = CALLERS_FILE_DEFAULT;
	char		 why[ERRMSG_MAX];
	bool		 check = false, require_key = false;
	int		 ch;

	closefrom(STDERR_FILENO + 1);
	harden();
	config_defaults(&cfg);

	/* The environment first; options override it. */
	if ((s = getenv("MCP_READABLE_SCHEMAS")) != NULL && *s != '\0')
		schemas = s;
	if ((s = getenv("MCP_MAX_ROWS")) != NULL && *s != '\0')
		cfg.max_rows = number("MCP_MAX_ROWS", s, 1, ROWS_CEIL_MAX);
	if ((s = getenv("MCP_MAX_BYTES")) != NULL && *s != '\0')
		cfg.max_bytes = number("MCP_MAX_BYTES", s, BYTES_MIN,
		    BYTES_MAX);
	if ((s = getenv("MCP_MAX_CELL")) != NULL && *s != '\0')
		cfg.max_cell = number("MCP_MAX_CELL", s, CELL_MIN, BYTES_MAX);
	if ((s = getenv("MCP_STATEMENT_TIMEOUT")) != NULL && *s != '\0')
		cfg.timeout_s = number("MCP_STATEMENT_TIMEOUT", s, 1,
		    TIMEOUT_MAX);
	if ((s = getenv("MCP_MAX_LINE")) != NULL && *s != '\0')
		cfg.max_line = (size_t)number("MCP_MAX_LINE", s, LINE_MAX_MIN,
		    LINE_MAX_CEIL);
	if ((s = getenv("MCP_MAX_MEMORY")) != NULL && *s != '\0')
		cfg.max_memory_mb = number("MCP_MAX_MEMORY", s, MEMORY_MIN_MB,
		    MEMORY_MAX_MB);
	if ((s = getenv("MCP_AUDIT_LOG")) != NULL && *s != '\0')
		cfg.audit_log = s;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DSN:
			cfg.dsn = take_dsn(optarg);
			break;
		case OPT_DB_USER:
			if (!word_valid(optarg, NAME_MAX_BYTES))
				errx(1, "--db-user: use 1 to %d letters, digits, "
				    "'.', '_', '@' or '-'", NAME_MAX_BYTES);
			cfg.db_user = optarg;
			break;
		case OPT_CALLER:
			if (!caller_name_valid(optarg))
				errx(1, "--caller: use 1 to %d letters, digits, "
				    "'.', '_', '@' or '-'", CALLER_MAX);
			strlcpy(cfg.caller, optarg, sizeof(cfg.caller));
			break;
		case OPT_SCHEMAS:
			schemas = optarg;
			break;
		case OPT_MAX_ROWS:
			cfg.max_rows = number("--max-rows", optarg, 1,
			    ROWS_CEIL_MAX);
			break;
		case OPT_MAX_BYTES:
			cfg.max_bytes = number("--max-bytes", optarg,
			    BYTES_MIN, BYTES_MAX);
			break;
		case OPT_MAX_CELL:
			cfg.max_cell = number("--max-cell", optarg, CELL_MIN,
			    BYTES_MAX);
			break;
		case OPT_MAX_LINE:
			cfg.max_line = (size_t)number("--max-line", optarg,
			    LINE_MAX_MIN, LINE_MAX_CEIL);
			break;
		case OPT_MAX_MEMORY:
			cfg.max_memory_mb = number("--max-memory", optarg,
			    MEMORY_MIN_MB, MEMORY_MAX_MB);
			break;
		case OPT_TIMEOUT:
			cfg.timeout_s = number("--statement-timeout", optarg,
			    1, TIMEOUT_MAX);
			break;
		case OPT_AUDIT:
			cfg.audit_log = optarg;
			break;
		case OPT_CALLERS:
			callers_file = optarg;
			break;
		case OPT_REQUIRE_KEY:
			require_key = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case 'h':
		case OPT_HELP:
			fputs(usage_text, stdout);
			return 0;
		case OPT_VERSION:
			printf("%s %s\n", MCP_NAME, MCP_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	parse_schemas(&cfg, schemas);
	if (caller_resolve(&cfg, callers_file, require_key, why,
	    sizeof(why)) == -1)
		errx(1, "caller: %s", why);
	cfg.peer = peer_address();

	if (db_init(&cfg) == -1)
		errx(1, "cannot set up the database connection");
	if (check) {
		start_with_libpq(&cfg);
		return conn_check();
	}
	if (audit_open(&cfg) == -1)
		err(1, "%s", cfg.audit_log);
	cap_memory(cfg.max_memory_mb);
	if (isatty(STDIN_FILENO))
		fputs(terminal_text, stderr);
	return loop_run(&cfg, start_with_libpq);
}
