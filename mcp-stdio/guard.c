/*
 * The SQL guard: the last of four read-only layers, after the SELECT-only
 * role, the READ ONLY transaction that is always rolled back, and running
 * the text as the query of a NO SCROLL cursor.  It is a pure function: no
 * I/O, no allocation, never a byte read past len.
 *
 * A lexer (lex.c) reads the text the way PostgreSQL's scanner (scan.l)
 * does and hands out one token at a time; the checker here walks the
 * tokens and accepts the text only if
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
 * The keywords and the functions are listed in banned.c.
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

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
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
	if (lex_is_digit(c))
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
	const char		*reason;
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
	    (reason = banned_function(buf, call)) == NULL)
		return 0;
	return fail(c->why, c->whysz, "function \"%s\" is not allowed: %s",
	    buf, reason);
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
	else if (banned_keyword(w))
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
