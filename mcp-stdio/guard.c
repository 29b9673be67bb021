/*
 * The SQL guard: the last of four read-only layers, after the SELECT-only
 * role, the READ ONLY transaction that is always rolled back, and running
 * the text as the query of a NO SCROLL cursor.  It is a pure function: no
 * I/O, no allocation, never a byte read past len.
 *
 * A lexer reads the text the way PostgreSQL's scanner (scan.l) does and
 * hands out one token at a time; a checker walks the tokens and accepts
 * the text only if
 *  - it holds exactly one statement, optionally followed by semicolons,
 *    whitespace and comments;
 *  - the statement starts, after any opening parentheses, with SELECT,
 *    WITH, VALUES or TABLE;
 *  - no bare word is the keyword of a write, DDL, transaction or session
 *    command (END passes only when it closes a CASE, SET only inside the
 *    SEARCH or CYCLE clause of a recursive WITH), nor INTO (SELECT ... INTO
 *    creates a table);
 *  - there is no row-locking clause (FOR UPDATE, FOR SHARE, ...);
 *  - no function is named whose effect outlives the transaction, that
 *    acts on the server or on other sessions, that touches server files or
 *    large objects, or that runs SQL text of its own.
 * Words inside string constants, quoted identifiers and comments are never
 * keywords.  A word right after "." or AS, or right before ".", is a name
 * (column, table, schema or label), never a keyword: "t.start" and
 * "1 AS comment" pass while a bare "start" is rejected with a hint to
 * double-quote it.
 *
 * PostgreSQL reads a name as a function before "(" (a call) and after
 * "." (attribute notation: x.f and (x).f are f(x) for any one-argument f
 * whatever the type of x: (42::bigint).pg_advisory_lock takes a lock, and
 * so does g.pg_advisory_lock over generate_series() g).  So a name equal
 * to a banned function is rejected in every name position, whatever comes
 * before or after it and whatever the comments around it: a bare word, a
 * "quoted identifier" or a U&"..." one (decoded, with or without
 * UESCAPE), each folded to lower case, matching an entry exactly or, for
 * a prefix entry, by its start.  Those names are not column names, so
 * this costs no false refusals; a column "lo", "locks", "dblinks" or
 * "pg_advisory" passes.
 *
 * Decisions where the brief left a choice:
 *  - Every advisory-lock function is rejected, the transaction-level ones
 *    too: over a large generate_series they fill the lock table that all
 *    sessions share, and new connections fail until the statement ends.
 *    The prefixes are pg_advisory_ and pg_try_advisory_: a column named
 *    pg_advisory passes.
 *  - Quoted names are folded too: "PG_ADVISORY_LOCK" names no function in
 *    PostgreSQL, but rejecting it costs nothing.
 *  - The lo_ prefix counts only in a call, and the large-object functions
 *    are listed by name, so t.lo_size and t.lo_id pass.  The other prefixes
 *    count everywhere: pg_catalog.pg_file_settings is rejected (a view
 *    closed to PUBLIC anyway), so is a column crosstab_total.
 *  - table_to_xml*, schema_to_xml* and database_to_xml* pass: they only
 *    read relations named by OID or name, with the role's privileges.
 *  - pg_sleep*, txid_current, currval and lastval pass.
 *  - ts_stat, ts_rewrite, crosstab* and connectby are rejected with the
 *    query_to_xml family: like it, they run SQL text given as a string.
 *  - A U&"..." name followed by a UESCAPE other than a plain one-character
 *    '...' is rejected where a function would be.
 *  - The verdict must not depend on standard_conforming_strings: the text
 *    is checked once with backslashes plain in '...' strings (on, the
 *    default) and once with them escaping (off); if the two readings
 *    disagree the text is rejected.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "extern.h"

/* ---- lexer ------------------------------------------------------------ */

enum tok {
	TOK_END,	/* end of input */
	TOK_WORD,	/* bare identifier or keyword */
	TOK_QIDENT,	/* "quoted identifier" */
	TOK_UIDENT,	/* U&"quoted identifier with Unicode escapes" */
	TOK_STRING,	/* any string constant, dollar-quoted included */
	TOK_NUMBER,
	TOK_PARAM,	/* $1 */
	TOK_SEMI,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_DOT,
	TOK_OTHER,	/* one operator or punctuation character */
	TOK_ERROR	/* unterminated construct: see lexer.err */
};

struct token {
	enum tok	 kind;
	size_t		 start;		/* offset of the first byte */
	size_t		 len;
};

/* How the body of a '...' string is read. */
enum qmode {
	Q_STD,		/* '' is a quote, a backslash a plain byte */
	Q_ESC,		/* '' is a quote, a backslash escapes a byte */
	Q_BITS		/* B'' and X'': the first quote ends them */
};

struct lexer {
	const char	*s;
	size_t		 len;
	size_t		 pos;		/* next byte to read */
	bool		 scs;		/* standard_conforming_strings */
	const char	*err;		/* with TOK_ERROR: what is open */
};

/* The byte at i as 0..255, or -1 at or past the end: the one bounds check. */
static int
at(const struct lexer *lx, size_t i)
{
	if (i >= lx->len)
		return -1;
	return (unsigned char)lx->s[i];
}

/* PostgreSQL's whitespace: [ \t\n\r\f\v]. */
static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

static bool
is_newline(int c)
{
	return c == '\n' || c == '\r';
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* [A-Za-z\200-\377_]: starts an identifier or a dollar-quote tag. */
static bool
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_' || c >= 0x80;
}

/* Continues a dollar-quote tag: an identifier byte other than '$'. */
static bool
is_tag_cont(int c)
{
	return is_ident_start(c) || is_digit(c);
}

/* Continues an identifier; "a$b" and "a$$" are single identifiers. */
static bool
is_ident_cont(int c)
{
	return is_tag_cont(c) || c == '$';
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static void
lex_init(struct lexer *lx, const char *s, size_t len, bool scs)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = s;
	lx->len = len;
	lx->scs = scs;
}

/* Turn t into TOK_ERROR at start; the lexer then only returns TOK_END. */
static void
lex_error(struct lexer *lx, struct token *t, size_t start, const char *err)
{
	t->kind = TOK_ERROR;
	t->start = start;
	t->len = 0;
	lx->err = err;
	lx->pos = lx->len;
}

/*
 * Skip whitespace, -- comments (ended by \n or \r) and block comments,
 * which nest.  Returns 0, or -1 with t set to the error of an unterminated
 * block comment.
 */
static int
skip_blank(struct lexer *lx, struct token *t)
{
	size_t	 start;
	int	 c, depth;

	for (;;) {
		c = at(lx, lx->pos);
		if (is_space(c))
			lx->pos++;
		else if (c == '-' && at(lx, lx->pos + 1) == '-') {
			while ((c = at(lx, lx->pos)) != -1 && !is_newline(c))
				lx->pos++;
		} else if (c == '/' && at(lx, lx->pos + 1) == '*') {
			start = lx->pos;
			lx->pos += 2;
			depth = 0;
			for (;;) {
				c = at(lx, lx->pos);
				if (c == -1) {
					lex_error(lx, t, start,
					    "unterminated /* comment");
					return -1;
				}
				if (c == '/' && at(lx, lx->pos + 1) == '*') {
					depth++;
					lx->pos += 2;
				} else if (c == '*' &&
				    at(lx, lx->pos + 1) == '/') {
					lx->pos += 2;
					if (depth-- == 0)
						break;
				} else
					lx->pos++;
			}
		} else
			return 0;
	}
}

/*
 * With p just past the closing quote of a string, return the offset of a
 * quote that continues it, or 0.  SQL joins 'a' and 'b' into one constant
 * when only whitespace holding a newline separates them; -- comments may
 * be part of that whitespace, block comments may not.  The continuation
 * is read in the mode of the first part: E'a' then '\'' is one string.
 */
static size_t
quote_continues(const struct lexer *lx, size_t p)
{
	bool	 newline = false;
	int	 c;

	for (;;) {
		c = at(lx, p);
		if (is_newline(c)) {
			newline = true;
			p++;
		} else if (is_space(c))
			p++;
		else if (c == '-' && at(lx, p + 1) == '-') {
			while ((c = at(lx, p)) != -1 && !is_newline(c))
				p++;
		} else
			break;
	}
	return newline && c == '\'' ? p : 0;
}

/* A '...' string whose body starts at p (just past the opening quote). */
static void
lex_string(struct lexer *lx, struct token *t, size_t p, enum qmode mode)
{
	size_t	 q;
	int	 c;

	for (;;) {
		c = at(lx, p);
		if (c == -1) {
			lex_error(lx, t, t->start,
			    "unterminated quoted string");
			return;
		}
		if (c == '\\' && mode == Q_ESC) {
			if (at(lx, p + 1) == -1) {
				lex_error(lx, t, t->start,
				    "unterminated quoted string");
				return;
			}
			p += 2;
		} else if (c == '\'') {
			if (mode != Q_BITS && at(lx, p + 1) == '\'') {
				p += 2;
				continue;
			}
			p++;
			if ((q = quote_continues(lx, p)) == 0)
				break;
			p = q + 1;
		} else
			p++;
	}
	t->kind = TOK_STRING;
	t->len = p - t->start;
	lx->pos = p;
}

/* A "..." identifier whose body starts at p; "" stands for one quote. */
static void
lex_qident(struct lexer *lx, struct token *t, size_t p, enum tok kind)
{
	int	 c;

	for (;;) {
		c = at(lx, p);
		if (c == -1) {
			lex_error(lx, t, t->start,
			    "unterminated quoted identifier");
			return;
		}
		p++;
		if (c == '"') {
			if (at(lx, p) != '"')
				break;
			p++;
		}
	}
	t->kind = kind;
	t->len = p - t->start;
	lx->pos = p;
}

/*
 * At a '$': a parameter ($1), a dollar-quoted string ($$...$$ or
 * $tag$...$tag$, ending at the first copy of the opening delimiter), or
 * else a lone '$'.
 */
static void
lex_dollar(struct lexer *lx, struct token *t)
{
	size_t	 p, dlen, i;

	p = lx->pos + 1;
	if (is_digit(at(lx, p))) {
		while (is_digit(at(lx, p)))
			p++;
		t->kind = TOK_PARAM;
		t->len = p - t->start;
		lx->pos = p;
		return;
	}
	if (is_ident_start(at(lx, p)))
		while (is_tag_cont(at(lx, p)))
			p++;
	if (at(lx, p) != '$') {
		t->kind = TOK_OTHER;
		t->len = 1;
		lx->pos++;
		return;
	}
	dlen = p + 1 - t->start;
	/*
	 * Compare only where a '$' is: a tag holds no '$', so each try stops
	 * at the next '$' at the latest and the search stays linear.
	 */
	for (i = p + 1; i + dlen <= lx->len; i++)
		if (lx->s[i] == '$' &&
		    memcmp(lx->s + i, lx->s + t->start, dlen) == 0) {
			t->kind = TOK_STRING;
			t->len = i + dlen - t->start;
			lx->pos = i + dlen;
			return;
		}
	lex_error(lx, t, t->start, "unterminated dollar-quoted string");
}

/*
 * A number: digits, an optional fraction, an optional exponent.  What
 * follows (1into, 0x1f) is left for the next token, as PostgreSQL before
 * version 15 reads it; later versions reject such text outright.
 */
static void
lex_number(struct lexer *lx, struct token *t)
{
	size_t	 p = lx->pos;
	int	 c;

	while (is_digit(at(lx, p)))
		p++;
	if (at(lx, p) == '.' && at(lx, p + 1) != '.') {
		p++;
		while (is_digit(at(lx, p)))
			p++;
	}
	c = at(lx, p);
	if (c == 'e' || c == 'E') {
		c = at(lx, p + 1);
		if (is_digit(c))
			p++;
		else if ((c == '+' || c == '-') && is_digit(at(lx, p + 2)))
			p += 2;
		while (is_digit(at(lx, p)))
			p++;
	}
	t->kind = TOK_NUMBER;
	t->len = p - t->start;
	lx->pos = p;
}

/*
 * Read the next token into t.  After TOK_END or TOK_ERROR every further
 * call returns TOK_END.
 */
static void
lex_next(struct lexer *lx, struct token *t)
{
	int	 c, c1, c2;

	if (skip_blank(lx, t) == -1)
		return;
	t->start = lx->pos;
	t->len = 0;
	c = at(lx, lx->pos);
	c1 = at(lx, lx->pos + 1);
	c2 = at(lx, lx->pos + 2);
	if (c == -1)
		t->kind = TOK_END;
	else if (c == '\'')
		lex_string(lx, t, lx->pos + 1, lx->scs ? Q_STD : Q_ESC);
	else if ((c == 'e' || c == 'E') && c1 == '\'')
		lex_string(lx, t, lx->pos + 2, Q_ESC);
	else if ((c == 'n' || c == 'N') && c1 == '\'')
		lex_string(lx, t, lx->pos + 2, lx->scs ? Q_STD : Q_ESC);
	else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && c1 == '\'')
		lex_string(lx, t, lx->pos + 2, Q_BITS);
	else if ((c == 'u' || c == 'U') && c1 == '&' && c2 == '\'')
		lex_string(lx, t, lx->pos + 3, Q_STD);
	else if ((c == 'u' || c == 'U') && c1 == '&' && c2 == '"')
		lex_qident(lx, t, lx->pos + 3, TOK_UIDENT);
	else if (c == '"')
		lex_qident(lx, t, lx->pos + 1, TOK_QIDENT);
	else if (c == '$')
		lex_dollar(lx, t);
	else if (is_ident_start(c)) {
		while (is_ident_cont(at(lx, lx->pos)))
			lx->pos++;
		t->kind = TOK_WORD;
		t->len = lx->pos - t->start;
	} else if (is_digit(c) || (c == '.' && is_digit(c1)))
		lex_number(lx, t);
	else {
		/*
		 * One byte at a time: operators need no grouping here, and a
		 * "--" or "/ *" inside one starts a comment, as in PostgreSQL.
		 */
		if (c == ';')
			t->kind = TOK_SEMI;
		else if (c == '(')
			t->kind = TOK_LPAREN;
		else if (c == ')')
			t->kind = TOK_RPAREN;
		else if (c == '.')
			t->kind = TOK_DOT;
		else
			t->kind = TOK_OTHER;
		t->len = 1;
		lx->pos++;
	}
}

/* The two tokens after the current position, without consuming them. */
static void
lex_peek2(const struct lexer *lx, struct token *t1, struct token *t2)
{
	struct lexer	 tmp = *lx;

	lex_next(&tmp, t1);
	lex_next(&tmp, t2);
}

/* ---- what is not allowed ---------------------------------------------- */

/*
 * Keywords of commands that write, change the schema, control the
 * transaction or change the session.  None is part of a read-only query;
 * END, SET and INTO are handled before this list is consulted.
 */
static const char *const banned_kw[] = {
	"abort", "alter", "analyse", "analyze", "begin", "call", "checkpoint",
	"cluster", "comment", "commit", "copy", "create", "deallocate",
	"declare", "delete", "discard", "do", "drop", "end", "execute",
	"grant", "import", "insert", "into", "listen", "load", "lock",
	"merge", "notify", "prepare", "reassign", "refresh", "reindex",
	"release", "reset", "revoke", "rollback", "savepoint", "security",
	"set", "start", "truncate", "unlisten", "update", "vacuum"
};

#define WHY_OUTLIVE	"its effect would outlive the read-only transaction"
#define WHY_LOCKS	"it can fill the lock table that all sessions share"
#define WHY_SERVER	"it acts on the server or on other sessions"
#define WHY_FILE	"it reads or writes files on the database server"
#define WHY_LO		"it reads or writes large objects or server files"
#define WHY_SQL		"it runs SQL text that the guard cannot check"
#define WHY_SETTING	"it changes session settings"

enum fn_match {
	FN_EXACT,	/* the name itself */
	FN_PREFIX,	/* every name starting with it */
	FN_CALL_PREFIX	/* the same, but only right before '(' */
};

struct banned_fn {
	const char	*name;		/* lower case */
	enum fn_match	 match;
	const char	*why;		/* ends "... is not allowed: " */
};

/* The first entry that matches gives the message. */
static const struct banned_fn banned_fn[] = {
	{ "set_config", FN_EXACT, WHY_SETTING },
	/* Session-level advisory locks outlive the rollback ... */
	{ "pg_advisory_lock", FN_EXACT, WHY_OUTLIVE },
	{ "pg_advisory_lock_shared", FN_EXACT, WHY_OUTLIVE },
	{ "pg_try_advisory_lock", FN_EXACT, WHY_OUTLIVE },
	{ "pg_try_advisory_lock_shared", FN_EXACT, WHY_OUTLIVE },
	{ "pg_advisory_unlock", FN_PREFIX, WHY_OUTLIVE },
	/* ... and a million transaction-level ones exhaust shared memory. */
	{ "pg_advisory_", FN_PREFIX, WHY_LOCKS },
	{ "pg_try_advisory_", FN_PREFIX, WHY_LOCKS },
	/* Sequences are not transactional. */
	{ "nextval", FN_EXACT, WHY_OUTLIVE },
	{ "setval", FN_EXACT, WHY_OUTLIVE },
	/* Replication, WAL and statistics state. */
	{ "pg_create_", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_copy_physical_replication_slot", FN_EXACT, WHY_OUTLIVE },
	{ "pg_copy_logical_replication_slot", FN_EXACT, WHY_OUTLIVE },
	{ "pg_drop_replication_slot", FN_EXACT, WHY_OUTLIVE },
	{ "pg_replication_slot_advance", FN_EXACT, WHY_OUTLIVE },
	{ "pg_replication_origin_", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_logical_slot_get_", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_logical_emit_message", FN_EXACT, WHY_OUTLIVE },
	{ "pg_import_system_collations", FN_EXACT, WHY_OUTLIVE },
	{ "pg_stat_reset", FN_PREFIX, WHY_OUTLIVE },
	{ "pg_stat_statements_reset", FN_EXACT, WHY_OUTLIVE },
	/* Other sessions and the server itself. */
	{ "pg_terminate_backend", FN_EXACT, WHY_SERVER },
	{ "pg_cancel_backend", FN_EXACT, WHY_SERVER },
	{ "pg_reload_conf", FN_EXACT, WHY_SERVER },
	{ "pg_rotate_logfile", FN_PREFIX, WHY_SERVER },
	{ "pg_switch_wal", FN_EXACT, WHY_SERVER },
	{ "pg_switch_xlog", FN_EXACT, WHY_SERVER },
	{ "pg_promote", FN_EXACT, WHY_SERVER },
	{ "pg_wal_replay_", FN_PREFIX, WHY_SERVER },
	{ "pg_backup_start", FN_EXACT, WHY_SERVER },
	{ "pg_backup_stop", FN_EXACT, WHY_SERVER },
	{ "pg_start_backup", FN_EXACT, WHY_SERVER },
	{ "pg_stop_backup", FN_EXACT, WHY_SERVER },
	{ "pg_log_backend_memory_contexts", FN_EXACT, WHY_SERVER },
	{ "pg_notify", FN_EXACT, WHY_SERVER },
	{ "pg_export_snapshot", FN_EXACT, WHY_SERVER },
	{ "pg_prewarm", FN_EXACT, WHY_SERVER },	/* fills shared buffers */
	{ "postgres_fdw_disconnect", FN_PREFIX, WHY_SERVER },
	/* Server files, adminpack included. */
	{ "pg_read_file", FN_EXACT, WHY_FILE },
	{ "pg_read_binary_file", FN_EXACT, WHY_FILE },
	{ "pg_stat_file", FN_EXACT, WHY_FILE },
	{ "pg_current_logfile", FN_EXACT, WHY_FILE },
	{ "pg_ls_", FN_PREFIX, WHY_FILE },
	{ "pg_file_", FN_PREFIX, WHY_FILE },
	{ "pg_logdir_ls", FN_EXACT, WHY_FILE },
	/* Large objects: each by name, and any lo_ name that is called. */
	{ "lo_import", FN_EXACT, WHY_LO },
	{ "lo_export", FN_EXACT, WHY_LO },
	{ "lo_open", FN_EXACT, WHY_LO },
	{ "lo_close", FN_EXACT, WHY_LO },
	{ "lo_creat", FN_EXACT, WHY_LO },
	{ "lo_create", FN_EXACT, WHY_LO },
	{ "lo_unlink", FN_EXACT, WHY_LO },
	{ "lo_get", FN_EXACT, WHY_LO },
	{ "lo_put", FN_EXACT, WHY_LO },
	{ "lo_from_bytea", FN_EXACT, WHY_LO },
	{ "lo_lseek", FN_EXACT, WHY_LO },
	{ "lo_lseek64", FN_EXACT, WHY_LO },
	{ "lo_tell", FN_EXACT, WHY_LO },
	{ "lo_tell64", FN_EXACT, WHY_LO },
	{ "lo_truncate", FN_EXACT, WHY_LO },
	{ "lo_truncate64", FN_EXACT, WHY_LO },
	{ "loread", FN_EXACT, WHY_LO },
	{ "lowrite", FN_EXACT, WHY_LO },
	{ "lo_", FN_CALL_PREFIX, WHY_LO },
	/* SQL text the guard never sees. */
	{ "dblink", FN_EXACT, WHY_SQL },
	{ "dblink_", FN_PREFIX, WHY_SQL },
	{ "query_to_xml", FN_PREFIX, WHY_SQL },
	{ "cursor_to_xml", FN_PREFIX, WHY_SQL },
	{ "ts_stat", FN_EXACT, WHY_SQL },
	{ "ts_rewrite", FN_EXACT, WHY_SQL },
	{ "crosstab", FN_PREFIX, WHY_SQL },
	{ "connectby", FN_EXACT, WHY_SQL },
	{ "pg_background_", FN_PREFIX, WHY_SQL }
};

static bool
kw_banned(const char *w)
{
	size_t	 i;

	for (i = 0; i < sizeof(banned_kw) / sizeof(banned_kw[0]); i++)
		if (strcmp(w, banned_kw[i]) == 0)
			return true;
	return false;
}

/*
 * The entry that bans the folded name, or NULL; call: the name is right
 * before '('.
 */
static const struct banned_fn *
fn_banned(const char *name, bool call)
{
	const struct banned_fn	*f;
	size_t			 i;

	for (i = 0; i < sizeof(banned_fn) / sizeof(banned_fn[0]); i++) {
		f = &banned_fn[i];
		if (f->match == FN_EXACT ? strcmp(name, f->name) == 0 :
		    (f->match == FN_PREFIX || call) &&
		    strncmp(name, f->name, strlen(f->name)) == 0)
			return f;
	}
	return NULL;
}

/* ---- checker ---------------------------------------------------------- */

struct checker {
	const char	*sql;
	struct lexer	 lx;
	struct token	 prev[3];	/* prev[0] is the latest token */
	int		 case_depth;	/* CASE not yet closed by END */
	bool		 set_ok;	/* after SEARCH or CYCLE: SET passes */
	char		*why;		/* NULL or whysz bytes */
	size_t		 whysz;
};

/* Fill why (if any) with a message; returns -1 for "return fail(...)". */
static int
fail(char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	 ap;

	if (why == NULL || whysz == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}

/* True if t is the bare word w (lower case), in any case. */
static bool
is_word(const char *sql, const struct token *t, const char *w)
{
	size_t	 i;

	if (t->kind != TOK_WORD || t->len != strlen(w))
		return false;
	for (i = 0; i < t->len; i++)
		if (ascii_lower((unsigned char)sql[t->start + i]) != w[i])
			return false;
	return true;
}

/*
 * Copy the bare word t into buf in lower or upper case.  Returns false
 * when it does not fit (no keyword is that long).
 */
static bool
word_copy(const char *sql, const struct token *t, char *buf, size_t bufsz,
    bool upper)
{
	size_t	 i;
	int	 c;

	if (t->len >= bufsz)
		return false;
	for (i = 0; i < t->len; i++) {
		c = ascii_lower((unsigned char)sql[t->start + i]);
		if (upper && c >= 'a' && c <= 'z')
			c = c - 'a' + 'A';
		buf[i] = (char)c;
	}
	buf[i] = '\0';
	return true;
}

static int
hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Append c to buf if it still has room below NAME_MAX_BYTES. */
static void
name_add(char *buf, size_t *n, int c)
{
	if (*n < NAME_MAX_BYTES)
		buf[(*n)++] = (char)c;
}

/*
 * The name of a function as PostgreSQL would look it up, folded to lower
 * case for matching and cut to NAME_MAX_BYTES like PostgreSQL does: t is a
 * bare word, a "quoted identifier" ("" is one quote) or a U&"identifier"
 * whose escapes (esc followed by 4 hex digits, by + and 6 hex digits, or
 * by esc) are decoded.  Each byte or code point outside ASCII becomes '?',
 * which no banned name holds, so buf stays printable ASCII for messages.
 * buf holds NAME_MAX_BYTES + 1 bytes.
 * Returns false for a malformed escape, which PostgreSQL rejects anyway.
 */
static bool
name_fold(const char *sql, const struct token *t, int esc, char *buf)
{
	size_t		 i, end, n = 0;
	unsigned long	 cp;
	int		 c, d, k, ndig;

	if (t->kind == TOK_WORD) {
		i = t->start;
		end = t->start + t->len;
	} else {
		i = t->start + (t->kind == TOK_UIDENT ? 3 : 1);
		end = t->start + t->len - 1;	/* the closing quote */
	}
	while (i < end) {
		c = (unsigned char)sql[i];
		if (c == '"') {			/* the first of "" */
			name_add(buf, &n, '"');
			i += 2;
		} else if (t->kind == TOK_UIDENT && c == esc) {
			if (i + 1 < end && (unsigned char)sql[i + 1] == esc) {
				name_add(buf, &n, esc);
				i += 2;
				continue;
			}
			i++;
			ndig = 4;
			if (i < end && sql[i] == '+') {
				ndig = 6;
				i++;
			}
			cp = 0;
			for (k = 0; k < ndig; k++, i++) {
				if (i >= end ||
				    (d = hexval((unsigned char)sql[i])) == -1)
					return false;
				cp = cp * 16 + (unsigned long)d;
			}
			name_add(buf, &n, cp != 0 && cp < 0x80 ?
			    ascii_lower((int)cp) : '?');
		} else {
			name_add(buf, &n, c < 0x80 ? ascii_lower(c) : '?');
			i++;
		}
	}
	buf[n] = '\0';
	return true;
}

/*
 * At a name t (a bare word, "quoted" or U&"..."): reject a banned one,
 * wherever it stands; a call-only prefix counts right before '('.
 */
static int
check_name(struct checker *c, const struct token *t)
{
	const struct banned_fn	*f;
	struct lexer		 lx = c->lx;
	struct token		 next, esc_tok;
	char			 buf[NAME_MAX_BYTES + 1];
	int			 esc = '\\';
	bool			 call;

	lex_next(&lx, &next);
	if (t->kind == TOK_UIDENT && is_word(c->sql, &next, "uescape")) {
		lex_next(&lx, &esc_tok);
		if (esc_tok.kind == TOK_STRING && esc_tok.len == 3 &&
		    c->sql[esc_tok.start] == '\'')
			esc = (unsigned char)c->sql[esc_tok.start + 1];
		else
			esc = -1;
		lex_next(&lx, &next);
	}
	call = next.kind == TOK_LPAREN;
	if (esc == -1) {
		if (!call && c->prev[0].kind != TOK_DOT)
			return 0;	/* not a function: nothing to decode */
		return fail(c->why, c->whysz,
		    "a function name written as U&\"...\" UESCAPE "
		    "is not allowed here; write the name without escapes");
	}
	if (!name_fold(c->sql, t, esc, buf) ||
	    (f = fn_banned(buf, call)) == NULL)
		return 0;
	return fail(c->why, c->whysz, "function \"%s\" is not allowed: %s",
	    buf, f->why);
}

/* A bare word: reject it if it is a banned keyword used as one. */
static int
check_word(struct checker *c, const struct token *t)
{
	struct token	 n1, n2;
	char		 w[24], up[24];

	/* t.word, word.x and AS word are names, whatever the word. */
	if (c->prev[0].kind == TOK_DOT || is_word(c->sql, &c->prev[0], "as"))
		return 0;
	lex_peek2(&c->lx, &n1, &n2);
	if (n1.kind == TOK_DOT)
		return 0;
	if (!word_copy(c->sql, t, w, sizeof(w), false))
		return 0;
	(void)word_copy(c->sql, t, up, sizeof(up), true);

	if (strcmp(w, "case") == 0)
		c->case_depth++;
	else if (strcmp(w, "end") == 0) {
		if (c->case_depth == 0)
			return fail(c->why, c->whysz, "\"END\" is not allowed "
			    "outside CASE ... END: only read-only queries "
			    "(SELECT, WITH, VALUES, TABLE) run here");
		c->case_depth--;
	} else if (strcmp(w, "for") == 0) {
		if (is_word(c->sql, &n1, "update") ||
		    is_word(c->sql, &n1, "share") ||
		    (is_word(c->sql, &n1, "no") &&
		    is_word(c->sql, &n2, "key")) ||
		    (is_word(c->sql, &n1, "key") &&
		    is_word(c->sql, &n2, "share")))
			return fail(c->why, c->whysz, "FOR UPDATE and FOR "
			    "SHARE are not allowed: they take row locks, and "
			    "only read-only queries run here");
	} else if (strcmp(w, "cycle") == 0 ||
	    (strcmp(w, "search") == 0 && (is_word(c->sql, &n1, "depth") ||
	    is_word(c->sql, &n1, "breadth"))))
		c->set_ok = true;
	else if (strcmp(w, "set") == 0 && c->set_ok)
		c->set_ok = false;
	else if (strcmp(w, "into") == 0)
		return fail(c->why, c->whysz, "\"INTO\" is not allowed: "
		    "SELECT ... INTO creates a table, and only read-only "
		    "queries run here");
	else if (kw_banned(w))
		return fail(c->why, c->whysz, "\"%s\" is not allowed: only "
		    "read-only queries (SELECT, WITH, VALUES, TABLE) run here; "
		    "if it is a name, write it in double quotes", up);
	return 0;
}

/*
 * The first token after any opening parentheses must be SELECT, WITH,
 * VALUES or TABLE; text with no token but semicolons is empty.
 */
static int
check_start(const struct checker *c)
{
	struct lexer	 lx = c->lx;
	struct token	 t;
	char		 up[NAME_MAX_BYTES + 1];
	bool		 paren = false;

	for (lex_next(&lx, &t); t.kind == TOK_LPAREN; lex_next(&lx, &t))
		paren = true;
	if (t.kind == TOK_ERROR)
		return 0;	/* reported by the main loop */
	if (!paren && (t.kind == TOK_END || t.kind == TOK_SEMI)) {
		while (t.kind == TOK_SEMI)
			lex_next(&lx, &t);
		if (t.kind == TOK_END)
			return fail(c->why, c->whysz, "empty query: send one "
			    "SELECT, WITH, VALUES or TABLE statement");
		return fail(c->why, c->whysz, "a query must start with "
		    "SELECT, WITH, VALUES or TABLE; remove the leading ';'");
	}
	if (is_word(c->sql, &t, "select") || is_word(c->sql, &t, "with") ||
	    is_word(c->sql, &t, "values") || is_word(c->sql, &t, "table"))
		return 0;
	if (t.kind == TOK_WORD && word_copy(c->sql, &t, up, sizeof(up), true))
		return fail(c->why, c->whysz, "a query must start with "
		    "SELECT, WITH, VALUES or TABLE, not \"%s\"", up);
	return fail(c->why, c->whysz,
	    "a query must start with SELECT, WITH, VALUES or TABLE");
}

/* One token of the statement. */
static int
check_token(struct checker *c, const struct token *t)
{
	switch (t->kind) {
	case TOK_ERROR:
		return fail(c->why, c->whysz, "%s at offset %zu",
		    c->lx.err, t->start);
	case TOK_WORD:
		if (check_name(c, t) == -1)
			return -1;
		return check_word(c, t);
	case TOK_QIDENT:
	case TOK_UIDENT:
		return check_name(c, t);
	default:
		return 0;
	}
}

/*
 * The whole check under one reading of backslashes in '...' strings
 * (scs: standard_conforming_strings).  Same contract as guard_check().
 */
static int
check(const char *sql, size_t len, bool scs, size_t *stmt_len, char *why,
    size_t whysz)
{
	struct checker	 c;
	struct token	 t;
	size_t		 end;

	memset(&c, 0, sizeof(c));
	c.sql = sql;
	lex_init(&c.lx, sql, len, scs);
	c.why = why;
	c.whysz = whysz;
	/* prev[] starts as TOK_END, "nothing before". */

	if (check_start(&c) == -1)
		return -1;
	for (;;) {
		lex_next(&c.lx, &t);
		if (t.kind == TOK_END || t.kind == TOK_SEMI)
			break;
		if (check_token(&c, &t) == -1)
			return -1;
		c.prev[2] = c.prev[1];
		c.prev[1] = c.prev[0];
		c.prev[0] = t;
	}
	end = t.kind == TOK_SEMI ? t.start : len;

	/* Only more semicolons, whitespace and comments may follow. */
	while (t.kind == TOK_SEMI)
		lex_next(&c.lx, &t);
	if (t.kind == TOK_ERROR)
		return check_token(&c, &t);
	if (t.kind != TOK_END)
		return fail(why, whysz, "only one statement is allowed; "
		    "remove everything after the first ';'");

	while (end > 0 && is_space((unsigned char)sql[end - 1]))
		end--;
	*stmt_len = end;
	return 0;
}

int
guard_check(const char *sql, size_t len, size_t *stmt_len, char *why,
    size_t whysz)
{
	size_t	 n_on, n_off;

	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if (check(sql, len, true, &n_on, why, whysz) == -1)
		return -1;
	/*
	 * The session might run with standard_conforming_strings off, where
	 * a backslash escapes in '...' too.  Both readings must agree.
	 */
	if (check(sql, len, false, &n_off, NULL, 0) == -1 || n_off != n_on)
		return fail(why, whysz, "a backslash in a '...' string makes "
		    "this query depend on standard_conforming_strings; write "
		    "the string as E'...' with each backslash doubled");
	if (stmt_len != NULL)
		*stmt_len = n_on;
	return 0;
}
