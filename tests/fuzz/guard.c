/*
 * Fuzz target: the SQL guard.  The input is the text of a query, any
 * bytes.  The target aborts when one of these breaks:
 *  - the lexer, under each reading of backslashes (standard_conforming_
 *    strings on and off), hands out tokens in order, inside the text and
 *    never empty, ends within one token per byte, and stays at TOK_END;
 *    a name folds to printable ASCII of at most NAME_MAX_BYTES;
 *  - guard_check() gives the same verdict with and without a message
 *    buffer; a rejection says why, an acceptance leaves why empty;
 *  - what is run is what was checked: the accepted statement (stmt_len
 *    bytes) followed by the newline rowset.c adds is accepted again,
 *    with the same length.
 * Both readings of backslashes are also part of every guard_check().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_fail(const char *what, const char *sql, size_t len)
{
	fprintf(stderr, "guard target: %s: %.*s\n", what,
	    (int)(len > 300 ? 300 : len), sql);
	abort();
}

/* Walk every token of sql under one reading of backslashes. */
static void
check_lexer(const char *sql, size_t len, bool scs)
{
	struct lexer	 lx;
	struct token	 t, p1, p2;
	char		 name[NAME_MAX_BYTES + 1];
	size_t		 end = 0, n = 0, i;

	lex_init(&lx, sql, len, scs);
	for (;;) {
		lex_peek2(&lx, &p1, &p2);
		lex_next(&lx, &t);
		if (t.kind != p1.kind || t.start != p1.start ||
		    t.len != p1.len)
			fuzz_fail("lex_peek2 disagrees with lex_next", sql,
			    len);
		if (t.kind == TOK_END || t.kind == TOK_ERROR)
			break;
		if (t.len == 0 || t.start < end || t.start + t.len > len)
			fuzz_fail("a token out of order or out of bounds",
			    sql, len);
		end = t.start + t.len;
		if (++n > len)
			fuzz_fail("more tokens than bytes", sql, len);
		if ((t.kind == TOK_WORD || t.kind == TOK_QIDENT ||
		    t.kind == TOK_UIDENT) &&
		    lex_name_fold(sql, &t, '\\', name)) {
			if (strlen(name) > NAME_MAX_BYTES)
				fuzz_fail("a folded name too long", sql, len);
			for (i = 0; name[i] != '\0'; i++)
				if (name[i] < 0x20 || name[i] > 0x7e)
					fuzz_fail("a folded name not printable",
					    sql, len);
		}
	}
	if (t.kind == TOK_ERROR && lx.err == NULL)
		fuzz_fail("TOK_ERROR without a reason", sql, len);
	lex_next(&lx, &t);
	if (t.kind != TOK_END)
		fuzz_fail("a token after the end", sql, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*sql = (const char *)data;
	char		 why[256], *again;
	size_t		 stmt_len = (size_t)-1, len2 = (size_t)-1;
	int		 rc;

	check_lexer(sql, size, true);
	check_lexer(sql, size, false);

	memset(why, 'x', sizeof(why));
	rc = guard_check(sql, size, &stmt_len, why, sizeof(why));
	if (memchr(why, '\0', sizeof(why)) == NULL)
		fuzz_fail("why is not terminated", sql, size);
	if (guard_check(sql, size, NULL, NULL, 0) != rc)
		fuzz_fail("the verdict depends on the message buffer", sql,
		    size);
	if (rc == -1) {
		if (why[0] == '\0')
			fuzz_fail("a rejection without a reason", sql, size);
		return 0;
	}
	if (rc != 0 || why[0] != '\0' || stmt_len > size)
		fuzz_fail("an acceptance with a reason or a bad length", sql,
		    size);

	/* The statement as rowset.c runs it: stmt_len bytes and '\n'. */
	if ((again = malloc(stmt_len + 1)) == NULL)
		return 0;
	memcpy(again, sql, stmt_len);
	again[stmt_len] = '\n';
	rc = guard_check(again, stmt_len + 1, &len2, why, sizeof(why));
	free(again);
	if (rc != 0 || len2 != stmt_len)
		fuzz_fail(rc != 0 ? why : "the statement's length changed",
		    sql, size);
	return 0;
}
