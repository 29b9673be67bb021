/*
 * The SQL guard's lexer: it reads text the way PostgreSQL's scanner
 * (scan.l) does and hands out one token at a time, so that guard.c can
 * tell a keyword from a name, a string constant or a comment.  It is a
 * pure function of its input: no I/O, no allocation, and every byte is
 * read through at(), the one bounds check, so none is read past len.
 *
 * A token is an offset and a length into the caller's text (struct
 * lex_token in extern.h).  What the scanner reads as one token is one
 * here: a '...' string in its E, N, B, X and U& forms, joined with the
 * '...' parts that follow it across a newline; a dollar-quoted string
 * ($$...$$, $tag$...$tag$); a "quoted" or U&"quoted" identifier; a number;
 * a $n parameter.  -- comments and block comments, which nest, are skipped
 * like whitespace, and operators come out one byte at a time.  Whether a
 * backslash escapes in a plain '...' string depends on
 * standard_conforming_strings, which the caller passes to lex_init().  An
 * unterminated string, identifier or comment is TOK_ERROR, with lexer.err
 * naming what is open; every call after TOK_END or TOK_ERROR returns
 * TOK_END.
 */
#include <stdbool.h>
#include <string.h>

#include "extern.h"

/* How the body of a '...' string is read. */
enum qmode {
	Q_STD,		/* '' is a quote, a backslash a plain byte */
	Q_ESC,		/* '' is a quote, a backslash escapes a byte */
	Q_BITS		/* B'' and X'': the first quote ends them */
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
bool
lex_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

static bool
is_newline(int c)
{
	return c == '\n' || c == '\r';
}

bool
lex_is_digit(int c)
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
	return is_ident_start(c) || lex_is_digit(c);
}

/* Continues an identifier; "a$b" and "a$$" are single identifiers. */
static bool
is_ident_cont(int c)
{
	return is_tag_cont(c) || c == '$';
}

void
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
		if (lex_is_space(c))
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
		} else if (lex_is_space(c))
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
	if (lex_is_digit(at(lx, p))) {
		while (lex_is_digit(at(lx, p)))
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

	while (lex_is_digit(at(lx, p)))
		p++;
	if (at(lx, p) == '.' && at(lx, p + 1) != '.') {
		p++;
		while (lex_is_digit(at(lx, p)))
			p++;
	}
	c = at(lx, p);
	if (c == 'e' || c == 'E') {
		c = at(lx, p + 1);
		if (lex_is_digit(c))
			p++;
		else if ((c == '+' || c == '-') && lex_is_digit(at(lx, p + 2)))
			p += 2;
		while (lex_is_digit(at(lx, p)))
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
void
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
	} else if (lex_is_digit(c) || (c == '.' && lex_is_digit(c1)))
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
void
lex_peek2(const struct lexer *lx, struct token *t1, struct token *t2)
{
	struct lexer	 tmp = *lx;

	lex_next(&tmp, t1);
	lex_next(&tmp, t2);
}

/* ---- names -------------------------------------------------------------- */

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

bool
lex_is_word(const char *sql, const struct token *t, const char *w)
{
	size_t	 i;

	if (t->kind != TOK_WORD || t->len != strlen(w))
		return false;
	for (i = 0; i < t->len; i++)
		if (ascii_lower((unsigned char)sql[t->start + i]) != w[i])
			return false;
	return true;
}

bool
lex_word_copy(const char *sql, const struct token *t, char *buf, size_t bufsz,
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

/*
 * Append c to buf if it still has room below NAME_MAX_BYTES: printable
 * ASCII as it is, anything else (a control character, a byte or code
 * point outside ASCII) as '?', which no banned name holds.
 */
static void
name_add(char *buf, size_t *n, unsigned long c)
{
	if (*n < NAME_MAX_BYTES)
		buf[(*n)++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
}

bool
lex_name_fold(const char *sql, const struct token *t, int esc, char *buf)
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
				name_add(buf, &n, (unsigned long)esc);
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
				    (d = hex_value((unsigned char)sql[i])) == -1)
					return false;
				cp = cp * 16 + (unsigned long)d;
			}
			name_add(buf, &n, cp < 0x80 ?
			    (unsigned long)ascii_lower((int)cp) : cp);
		} else {
			name_add(buf, &n, (unsigned long)ascii_lower(c));
			i++;
		}
	}
	buf[n] = '\0';
	return true;
}
