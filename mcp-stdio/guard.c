/*
 * The SQL guard: the last of four read-only layers, after the SELECT-only
 * role, the READ ONLY transaction that is always rolled back, and running
 * the text as the query of a NO SCROLL cursor (or under EXPLAIN).  It is a
 * pure function: no I/O, no allocation, never a byte read past len.
 *
 * A lexer (lex.c) reads the text the way PostgreSQL's scanner (scan.l)
 * does and hands out one token at a time; words inside string constants,
 * quoted identifiers and comments are never keywords.  The checker here
 * walks the tokens and refuses, each for its reason:
 *  - more than one statement (semicolons, whitespace and comments may
 *    follow the one): a second one could be anything;
 *  - a statement that does not start, after any opening parentheses, with
 *    SELECT, WITH, VALUES or TABLE: no other command is a query;
 *  - INSERT, UPDATE, DELETE or MERGE where a WITH query may hold one:
 *    right after the "(" of a WITH query's body (AS [[NOT] MATERIALIZED]
 *    "("), or after a WITH clause, before the SELECT, VALUES or TABLE that
 *    reads its result.  Each counts only with what must follow it in a
 *    statement (DELETE FROM, INSERT INTO, MERGE INTO, UPDATE name SET), so
 *    a WITH query or a column named "delete" passes;
 *  - INTO as a bare word: SELECT ... INTO creates a table;
 *  - a row-locking clause (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR
 *    KEY SHARE): it locks the rows it reads, and a cursor allows it;
 *  - a function whose effect outlives the transaction, that acts on the
 *    server or on other sessions, that touches server files or large
 *    objects, or that runs SQL text of its own (listed in banned.c).
 * No other keyword is refused.  Inside one statement that starts with
 * SELECT, WITH, VALUES or TABLE, PostgreSQL's grammar lets a command
 * appear only as the body of a WITH query or as the statement a WITH
 * clause leads to; everything else is an expression, a name or a clause
 * of a query.  So "cluster", "comment", "start", "set" or "update" as a
 * column, alias or table name pass, and a command word anywhere else is a
 * syntax error for PostgreSQL, not a write.  The cursor would refuse a
 * data-modifying WITH and SELECT INTO by itself, but EXPLAIN ANALYZE runs
 * both: the guard refuses them whatever the statement is run under.
 * Past GUARD_NEST_MAX open parentheses the checker no longer knows which
 * "(" starts a WITH query: there it counts every "(" and every depth as a
 * place a command may start.  A word right after "." or AS, or right
 * before ".", is a name: "t.into" and "1 AS for" pass.  INTO and FOR are
 * reserved words in PostgreSQL, so nowhere else can they be a name.
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
 *  - FOR UPDATE is refused wherever FOR is followed by UPDATE, SHARE, NO
 *    KEY or KEY SHARE, so substring(s FOR share) with a column "share"
 *    needs the name in double quotes.
 *  - The verdict must not depend on standard_conforming_strings: the text
 *    is checked once with backslashes plain in '...' strings (on, the
 *    default) and once with them escaping (off); if the two readings
 *    disagree the text is rejected.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "extern.h"

/* ---- checker ---------------------------------------------------------- */

/* Parenthesis depths the checker tracks WITH clauses in: bits of a mask. */
#define GUARD_NEST_MAX	64

struct checker {
	const char	*sql;
	struct lexer	 lx;
	struct token	 prev[3];	/* prev[0] is the latest token */
	size_t		 depth;		/* parentheses open */
	uint64_t	 with_open;	/* bit d: a WITH clause at depth d
					   has not reached its statement */
	bool		 body_start;	/* the last token opened the body
					   of a WITH query */
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

/*
 * At a name t (a bare word, "quoted" or U&"..."): reject a banned one,
 * wherever it stands; a call-only prefix counts right before '('.
 */
static int
check_name(struct checker *c, const struct token *t)
{
	const char		*reason;
	struct lexer		 lx = c->lx;
	struct token		 next, esc_tok;
	char			 buf[NAME_MAX_BYTES + 1];
	int			 esc = '\\';
	bool			 call;

	lex_next(&lx, &next);
	if (t->kind == TOK_UIDENT && lex_is_word(c->sql, &next, "uescape")) {
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
	if (!lex_name_fold(c->sql, t, esc, buf) ||
	    (reason = banned_function(buf, call)) == NULL)
		return 0;
	return fail(c->why, c->whysz, "function \"%s\" is not allowed: %s",
	    buf, reason);
}

/* True if t is a name: a bare word, "quoted" or U&"quoted". */
static bool
is_name(const struct token *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_QIDENT ||
	    t->kind == TOK_UIDENT;
}

/*
 * Read a name from lx into t, with the UESCAPE '...' after a U&"..." one;
 * then the token after it.  Returns false if t is not a name.
 */
static bool
skip_name(const struct checker *c, struct lexer *lx, struct token *t)
{
	if (!is_name(t))
		return false;
	if (t->kind == TOK_UIDENT) {
		lex_next(lx, t);
		if (!lex_is_word(c->sql, t, "uescape"))
			return true;
		lex_next(lx, t);
		if (t->kind != TOK_STRING)
			return false;
	}
	lex_next(lx, t);
	return true;
}

/*
 * True if the word t starts a command that writes: DELETE FROM,
 * INSERT INTO, MERGE INTO, or UPDATE [ONLY] [(] name[.name...] [)] [*]
 * [[AS] alias] SET followed by "(" or by a name and "=", "." or "[", as
 * PostgreSQL's grammar (gram.y) has them.  A column "delete" in a column
 * definition list, a WITH query "update" or a column of a SEARCH or CYCLE
 * clause is none of these.
 */
static bool
is_write(const struct checker *c, const struct token *t)
{
	struct lexer	 lx = c->lx;
	struct token	 n;
	bool		 paren = false;

	lex_next(&lx, &n);
	if (lex_is_word(c->sql, t, "delete"))
		return lex_is_word(c->sql, &n, "from");
	if (lex_is_word(c->sql, t, "insert") || lex_is_word(c->sql, t, "merge"))
		return lex_is_word(c->sql, &n, "into");
	if (!lex_is_word(c->sql, t, "update"))
		return false;
	if (lex_is_word(c->sql, &n, "only")) {
		lex_next(&lx, &n);
		if ((paren = n.kind == TOK_LPAREN))
			lex_next(&lx, &n);
	}
	if (!skip_name(c, &lx, &n))
		return false;
	while (n.kind == TOK_DOT) {
		lex_next(&lx, &n);
		if (!skip_name(c, &lx, &n))
			return false;
	}
	if (paren) {
		if (n.kind != TOK_RPAREN)
			return false;
		lex_next(&lx, &n);
	}
	if (n.kind == TOK_OTHER && c->sql[n.start] == '*')
		lex_next(&lx, &n);
	if (!lex_is_word(c->sql, &n, "set")) {
		if (lex_is_word(c->sql, &n, "as")) {
			lex_next(&lx, &n);
			if (!is_name(&n))
				return false;
		}
		if (!skip_name(c, &lx, &n) || !lex_is_word(c->sql, &n, "set"))
			return false;
	}
	/*
	 * SET, then "(" or a name before "=", "." or "[": in "CYCLE update
	 * SET set USING path" the second "set" is the name of a column.
	 */
	lex_next(&lx, &n);
	if (n.kind == TOK_LPAREN)
		return true;
	if (!skip_name(c, &lx, &n))
		return false;
	return n.kind == TOK_DOT || (n.kind == TOK_OTHER &&
	    (c->sql[n.start] == '=' || c->sql[n.start] == '['));
}

/* True while a WITH clause at the current depth leads to its statement. */
static bool
with_open(const struct checker *c)
{
	return c->depth >= GUARD_NEST_MAX ||
	    (c->with_open & ((uint64_t)1 << c->depth)) != 0;
}

/* Mark the current depth: a WITH clause is open there, or not. */
static void
with_set(struct checker *c, bool open)
{
	uint64_t	 bit;

	if (c->depth >= GUARD_NEST_MAX)
		return;
	bit = (uint64_t)1 << c->depth;
	if (open)
		c->with_open |= bit;
	else
		c->with_open &= ~bit;
}

/*
 * A bare word: refuse a write where a WITH query or clause may hold one,
 * INTO and a row-locking clause; track WITH clauses.
 */
static int
check_word(struct checker *c, const struct token *t)
{
	struct token	 n1, n2;
	const char	*lock = NULL;
	char		 up[8];
	bool		 body = c->body_start;

	c->body_start = false;
	if ((body || with_open(c)) && is_write(c, t)) {
		(void)lex_word_copy(c->sql, t, up, sizeof(up), true);
		if (c->depth >= GUARD_NEST_MAX)
			return fail(c->why, c->whysz, "\"%s\" is not allowed "
			    "inside more than %d parentheses: there the guard "
			    "takes it for a command that writes; if it is a "
			    "name, write it in double quotes", up,
			    GUARD_NEST_MAX - 1);
		if (body)
			return fail(c->why, c->whysz, "\"%s\" is not allowed "
			    "in a WITH query: a data-modifying WITH writes, "
			    "and only read-only queries (SELECT, WITH, VALUES, "
			    "TABLE) run here", up);
		return fail(c->why, c->whysz, "\"%s\" is not allowed after "
		    "WITH: WITH ... %s writes, and only read-only queries "
		    "(SELECT, WITH, VALUES, TABLE) run here", up, up);
	}

	/* t.word, word.x and AS word are names, whatever the word. */
	if (c->prev[0].kind == TOK_DOT || lex_is_word(c->sql, &c->prev[0], "as"))
		return 0;
	lex_peek2(&c->lx, &n1, &n2);
	if (n1.kind == TOK_DOT)
		return 0;

	if (lex_is_word(c->sql, t, "with")) {
		/* A WITH clause starts a statement or a parenthesis. */
		if (c->prev[0].kind == TOK_END || c->prev[0].kind == TOK_LPAREN)
			with_set(c, true);
	} else if (lex_is_word(c->sql, t, "select") ||
	    lex_is_word(c->sql, t, "values") || lex_is_word(c->sql, t, "table"))
		with_set(c, false);
	else if (lex_is_word(c->sql, t, "into"))
		return fail(c->why, c->whysz, "\"INTO\" is not allowed: "
		    "SELECT ... INTO creates a table, and only read-only "
		    "queries run here; a column named into must be written "
		    "\"into\"");
	else if (lex_is_word(c->sql, t, "for")) {
		if (lex_is_word(c->sql, &n1, "update"))
			lock = "UPDATE";
		else if (lex_is_word(c->sql, &n1, "share"))
			lock = "SHARE";
		else if (lex_is_word(c->sql, &n1, "no") &&
		    lex_is_word(c->sql, &n2, "key"))
			lock = "NO KEY UPDATE";
		else if (lex_is_word(c->sql, &n1, "key") &&
		    lex_is_word(c->sql, &n2, "share"))
			lock = "KEY SHARE";
		if (lock != NULL)
			return fail(c->why, c->whysz, "\"FOR %s\" is not "
			    "allowed: FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE "
			    "and FOR KEY SHARE lock the rows they read, and "
			    "only read-only queries run here", lock);
	}
	return 0;
}

/*
 * A parenthesis: the depth, and whether it opens the body of a WITH
 * query (AS "(", AS MATERIALIZED "(", AS NOT MATERIALIZED "(").
 */
static void
check_paren(struct checker *c, const struct token *t)
{
	const struct token	*p = c->prev;

	if (t->kind == TOK_RPAREN) {
		c->body_start = false;
		with_set(c, false);
		if (c->depth > 0)
			c->depth--;
		return;
	}
	c->body_start = c->depth + 1 >= GUARD_NEST_MAX ||
	    lex_is_word(c->sql, &p[0], "as") ||
	    (lex_is_word(c->sql, &p[0], "materialized") &&
	    (lex_is_word(c->sql, &p[1], "as") || (lex_is_word(c->sql, &p[1], "not") &&
	    lex_is_word(c->sql, &p[2], "as"))));
	c->depth++;
	with_set(c, false);
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
	if (lex_is_word(c->sql, &t, "select") || lex_is_word(c->sql, &t, "with") ||
	    lex_is_word(c->sql, &t, "values") || lex_is_word(c->sql, &t, "table"))
		return 0;
	if (t.kind == TOK_WORD && lex_word_copy(c->sql, &t, up, sizeof(up), true))
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
	case TOK_LPAREN:
	case TOK_RPAREN:
		check_paren(c, t);
		return 0;
	case TOK_QIDENT:
	case TOK_UIDENT:
		c->body_start = false;
		return check_name(c, t);
	default:
		c->body_start = false;
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

	while (end > 0 && lex_is_space((unsigned char)sql[end - 1]))
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
