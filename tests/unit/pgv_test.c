/*
 * pgv.c: PostgreSQL text-format values as JSON.  Each value is written
 * as the single element of an array so that the exact bytes, commas
 * included, can be compared.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "t.h"

struct vcase {
	unsigned int	 oid;
	const char	*text;
	size_t		 len;
	bool		 isnull;
	const char	*want;
};

#define V(oid, s, want)		{ oid, s, sizeof(s) - 1, false, want }
#define VNULL(oid)		{ oid, "", 0, true, "[null]" }

static const struct vcase cases[] = {
	/* Integers: numbers as PostgreSQL prints them. */
	V(21, "-32768", "[-32768]"),
	V(23, "2147483647", "[2147483647]"),
	V(20, "-9223372036854775808", "[-9223372036854775808]"),
	V(26, "4294967295", "[4294967295]"),
	V(23, "0", "[0]"),
	/* numeric keeps its scale; NaN and the infinities are strings. */
	V(1700, "123.4500", "[123.4500]"),
	V(1700, "-0.000001", "[-0.000001]"),
	V(1700, "100000000000000000000000000000000000000001",
	    "[100000000000000000000000000000000000000001]"),
	V(1700, "NaN", "[\"NaN\"]"),
	V(1700, "Infinity", "[\"Infinity\"]"),
	V(1700, "-Infinity", "[\"-Infinity\"]"),
	/* float: exponents are valid JSON. */
	V(701, "1e+100", "[1e+100]"),
	V(701, "-1.5e-07", "[-1.5e-07]"),
	V(701, "-0", "[-0]"),
	V(701, "NaN", "[\"NaN\"]"),
	V(701, "Infinity", "[\"Infinity\"]"),
	V(701, "-Infinity", "[\"-Infinity\"]"),
	V(700, "3.14", "[3.14]"),
	V(700, "NaN", "[\"NaN\"]"),
	/* Not JSON numbers in a number column: strings, never bad JSON. */
	V(1700, "abc", "[\"abc\"]"),
	V(1700, "1.", "[\"1.\"]"),
	V(1700, ".5", "[\".5\"]"),
	V(1700, "01", "[\"01\"]"),
	V(1700, "+1", "[\"+1\"]"),
	V(1700, "1e", "[\"1e\"]"),
	V(1700, " 1", "[\" 1\"]"),
	V(1700, "", "[\"\"]"),
	V(23, "12x", "[\"12x\"]"),
	V(20, "-", "[\"-\"]"),
	V(701, "0x1p3", "[\"0x1p3\"]"),
	/* bool */
	V(16, "t", "[true]"),
	V(16, "f", "[false]"),
	V(16, "true", "[\"true\"]"),
	/* json keeps its input whitespace; jsonb is normalised already. */
	V(114, "{\"a\": [1, 2],\n \"b\": \"x y\"}",
	    "[{\"a\":[1,2],\"b\":\"x y\"}]"),
	V(114, "\n\t[ {\"k\" :\r\n null} ]\n", "[[{\"k\":null}]]"),
	V(114, "\"str\"", "[\"str\"]"),
	V(114, "  42 ", "[42]"),
	V(3802, "{\"a\": 1, \"b\": [true, null]}",
	    "[{\"a\":1,\"b\":[true,null]}]"),
	V(3802, "{\"s\": \"two  spaces\\n\"}",
	    "[{\"s\":\"two  spaces\\n\"}]"),
	/* NULL of any type. */
	VNULL(23),
	VNULL(25),
	VNULL(114),
	VNULL(16),
	/* Everything else: PostgreSQL's text as a string. */
	V(25, "hello \"world\"\n", "[\"hello \\\"world\\\"\\n\"]"),
	V(1043, "varchar", "[\"varchar\"]"),
	V(1184, "2024-01-02 03:04:05.123456+00",
	    "[\"2024-01-02 03:04:05.123456+00\"]"),
	V(1082, "2024-01-02", "[\"2024-01-02\"]"),
	V(2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
	    "[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"]"),
	V(1007, "{1,2,3}", "[\"{1,2,3}\"]"),
	V(1009, "{\"a b\",NULL}", "[\"{\\\"a b\\\",NULL}\"]"),
	V(17, "\\x0102ff", "[\"\\\\x0102ff\"]"),
	V(1186, "1 day 02:00:00", "[\"1 day 02:00:00\"]"),
	V(600, "(1,2)", "[\"(1,2)\"]"),
	V(1700 + 1, "42", "[\"42\"]"),		/* unknown oid: string */
	V(25, "caf\xc3\xa9", "[\"caf\xc3\xa9\"]"),
	V(25, "bad\xff", "[\"bad\xef\xbf\xbd\"]"),
	V(25, "a\0b", "[\"a\\u0000b\"]"),
	V(25, "tab\there", "[\"tab\\there\"]"),
};

static void
test_table(void)
{
	struct jw	 w;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];

		jw_init(&w);
		jw_arr_open(&w);
		pgv_write(&w, c->oid, c->text, c->len, c->isnull);
		jw_arr_close(&w);
		T_OK(!w.failed && strcmp(w.buf, c->want) == 0 &&
		    w.len == strlen(c->want),
		    "oid %u %s -> %s (got %s)", c->oid,
		    c->isnull ? "NULL" : t_show(c->text, c->len), c->want,
		    w.failed ? "failure" : w.buf);
		jw_free(&w);
	}
}

/* A row as an object: keys and values interleave correctly. */
static void
test_row(void)
{
	static const char want[] = "{\"id\":7,\"name\":\"x\",\"ok\":true,"
	    "\"doc\":{\"a\":[1]},\"gone\":null,\"score\":\"NaN\"}";
	struct jw	 w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "id");
	pgv_write(&w, 23, "7", 1, false);
	jw_key(&w, "name");
	pgv_write(&w, 25, "x", 1, false);
	jw_key(&w, "ok");
	pgv_write(&w, 16, "t", 1, false);
	jw_key(&w, "doc");
	pgv_write(&w, 3802, "{\"a\": [1]}", 10, false);
	jw_key(&w, "gone");
	pgv_write(&w, 1700, NULL, 0, true);
	jw_key(&w, "score");
	pgv_write(&w, 701, "NaN", 3, false);
	jw_obj_close(&w);
	T_OK(!w.failed && strcmp(w.buf, want) == 0, "row object: %s", w.buf);
	jw_free(&w);
}

int
main(void)
{
	test_table();
	test_row();
	return t_exit();
}
