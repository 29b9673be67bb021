/*
 * pgv.c: PostgreSQL text-format values as JSON.  Each value is written
 * as the single element of an array so that the exact bytes, commas
 * included, can be compared.
 *
 * The array literals are PostgreSQL 15's own output (expr::text) and the
 * expectations its to_json(expr), whitespace outside strings removed, but
 * for two deliberate differences: oid elements are numbers, as oid
 * values are, and timestamps keep PostgreSQL's text (to_json writes ISO
 * 8601 with a T).
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
	V(17, "\\x0102ff", "[\"\\\\x0102ff\"]"),
	/* Arrays: JSON arrays of their elements' mapping. */
	V(1007, "{1,2,3}",
	    "[[1,2,3]]"),
	V(1007, "{}",
	    "[[]]"),
	V(1007, "{{1,2},{3,4}}",
	    "[[[1,2],[3,4]]]"),
	V(1007, "{-2147483648,NULL,0}",
	    "[[-2147483648,null,0]]"),
	V(1007, "[0:1]={1,2}",
	    "[[1,2]]"),
	V(1007, "[-3:-2][1:2]={{1,2},{3,4}}",
	    "[[[1,2],[3,4]]]"),
	V(1007, "{{{{{{1,2}}}}}}",
	    "[[[[[[[1,2]]]]]]]"),
	V(1005, "{1,-1}",
	    "[[1,-1]]"),
	V(1016, "{9223372036854775807,NULL}",
	    "[[9223372036854775807,null]]"),
	V(1028, "{4294967295}",
	    "[[4294967295]]"),
	V(1000, "{t,f,NULL}",
	    "[[true,false,null]]"),
	V(1009, "{\"a b\",NULL,\"c\\\"d\",\"NULL\",\"\",x,\"\\\\\"}",
	    "[[\"a b\",null,\"c\\\"d\",\"NULL\",\"\",\"x\",\"\\\\\"]]"),
	V(1009, "{\"a{b\",\"a,b\",\"a}b\",\" lead\",\"trail \",\xc3\xa9,"
	    "\"tab\there\",\"nl\nx\"}",
	    "[[\"a{b\",\"a,b\",\"a}b\",\" lead\",\"trail \",\"\xc3\xa9\","
	    "\"tab\\there\",\"nl\\nx\"]]"),
	V(1009, "{{a,NULL},{\"b c\",d}}",
	    "[[[\"a\",null],[\"b c\",\"d\"]]]"),
	V(1015, "{abc,\"d e\"}",
	    "[[\"abc\",\"d e\"]]"),
	V(1014, "{\"ab  \"}",
	    "[[\"ab  \"]]"),
	V(1003, "{pg_class}",
	    "[[\"pg_class\"]]"),
	V(1002, "{a,b}",
	    "[[\"a\",\"b\"]]"),
	V(1231, "{NaN,1.5,Infinity,-Infinity,123.4500}",
	    "[[\"NaN\",1.5,\"Infinity\",\"-Infinity\",123.4500]]"),
	V(1022, "{NaN,-Infinity,1e+300,-0,1.5e-07}",
	    "[[\"NaN\",\"-Infinity\",1e+300,-0,1.5e-07]]"),
	V(1021, "{3.14,NaN,Infinity}",
	    "[[3.14,\"NaN\",\"Infinity\"]]"),
	V(199, "{\"{\\\"a\\\": 1}\",\"[1, \\\"x\\\\\\\"y\\\"]\",\"null"
	    "\",\"\\\"NULL\\\"\",42,\"\\\"a\\\\\\\\b\\\"\",\" {\\\""
	    "s\\\" : \\\"t u\\\"} \"}",
	    "[[{\"a\":1},[1,\"x\\\"y\"],null,\"NULL\",42,\"a\\\\b\""
	    ",{\"s\":\"t u\"}]]"),
	V(3807, "{\"{\\\"a\\\": 1}\",\"[1, \\\"x\\\\\\\"y\\\"]\",\"null"
	    "\",\"\\\"NULL\\\"\",42,\"\\\"a\\\\\\\\b\\\"\"}",
	    "[[{\"a\":1},[1,\"x\\\"y\"],null,\"NULL\",42,\"a\\\\b\"]]"),
	V(199, "{{1,\"{}\"},{[],\"\\\"{\\\\\\\"x\\\\\\\"}\\\"\"}}",
	    "[[[1,{}],[[],\"{\\\"x\\\"}\"]]]"),
	V(2951, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
	    "[[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"]]"),
	V(1182, "{2024-01-02,infinity}",
	    "[[\"2024-01-02\",\"infinity\"]]"),
	V(1115, "{\"2024-01-02 03:04:05\"}",
	    "[[\"2024-01-02 03:04:05\"]]"),
	V(1187, "{\"1 day\",-00:00:01}",
	    "[[\"1 day\",\"-00:00:01\"]]"),
	V(1020, "{(1,1),(0,0);(2,2),(1,1)}",
	    "[[\"(1,1),(0,0)\",\"(2,2),(1,1)\"]]"),
	V(1017, "{\"(1,2)\",\"(3,4)\"}",
	    "[[\"(1,2)\",\"(3,4)\"]]"),
	V(3905, "{\"[1,3)\",empty}",
	    "[[\"[1,3)\",\"empty\"]]"),
	V(1001, "{\"\\\\x0102\"}",
	    "[[\"\\\\x0102\"]]"),
	V(1007, "{NULL,NULL,NULL}",
	    "[[null,null,null]]"),

	/* Leniency of array_in(): case of NULL, spaces around elements. */
	V(1007, "{null,Null,nULL}", "[[null,null,null]]"),
	V(1007, " { 1 , 2 } ", "[[1,2]]"),
	V(1009, "{ \"a\" , b c ,\t\"NULL\"}", "[[\"a\",\"b c\",\"NULL\"]]"),
	V(1000, "{{t},{f}}", "[[[true],[false]]]"),
	V(1007, "[1:1]={7}", "[[7]]"),
	/* Not what array_out() writes: the literal, as a string. */
	V(1007, "{1,2", "[\"{1,2\"]"),
	V(1007, "1,2}", "[\"1,2}\"]"),
	V(1007, "{1,2}}", "[\"{1,2}}\"]"),
	V(1007, "{{1,2}", "[\"{{1,2}\"]"),
	V(1007, "{1,,2}", "[\"{1,,2}\"]"),
	V(1007, "{1,}", "[\"{1,}\"]"),
	V(1007, "{,1}", "[\"{,1}\"]"),
	V(1007, "{1}x", "[\"{1}x\"]"),
	V(1007, "", "[\"\"]"),
	V(1007, "{{1},2}", "[\"{{1},2}\"]"),
	V(1007, "{1,{2}}", "[\"{1,{2}}\"]"),
	V(1007, "{{1,2},{3}}", "[\"{{1,2},{3}}\"]"),
	V(1007, "{{}}", "[\"{{}}\"]"),
	V(1007, "{{{{{{{1}}}}}}}", "[\"{{{{{{{1}}}}}}}\"]"),
	V(1007, "[0:2]={1,2}", "[\"[0:2]={1,2}\"]"),
	V(1007, "[1:2][1:1]={1,2}", "[\"[1:2][1:1]={1,2}\"]"),
	V(1007, "[0:1]{1,2}", "[\"[0:1]{1,2}\"]"),
	V(1007, "[1:0]={}", "[\"[1:0]={}\"]"),
	V(1007, "[12345678901:12345678902]={1,2}",
	    "[\"[12345678901:12345678902]={1,2}\"]"),
	V(1009, "{\"a}", "[\"{\\\"a}\"]"),
	V(1009, "{\"a\\\"}", "[\"{\\\"a\\\\\\\"}\"]"),
	V(1009, "{\"a\"b}", "[\"{\\\"a\\\"b}\"]"),
	V(1009, "{a\"b}", "[\"{a\\\"b}\"]"),
	V(1009, "{a\\,b}", "[\"{a\\\\,b}\"]"),
	V(1009, "{a{b}", "[\"{a{b}\"]"),
	V(1020, "{(1,1),(0,0),(2,2),(1,1)}",
	    "[[\"(1,1),(0,0),(2,2),(1,1)\"]]"),	/* box: ';' only */
	/* Arrays of types we do not know: the literal. */
	V(16385, "{1,2}", "[\"{1,2}\"]"),
	V(22, "1 2", "[\"1 2\"]"),		/* int2vector */
	V(30, "26 23", "[\"26 23\"]"),		/* oidvector */
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
	struct jw	 w, m;
	struct pgv_map	 map;
	size_t		 i, differ = 0;

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
		/* The mapping decided once per column writes the same. */
		jw_init(&m);
		jw_arr_open(&m);
		pgv_map(&map, c->oid);
		pgv_map_write(&m, &map, c->text, c->len, c->isnull);
		jw_arr_close(&m);
		if (m.failed || strcmp(m.buf, c->want) != 0)
			differ++;
		jw_free(&m);
		jw_free(&w);
	}
	T_OK(differ == 0, "pgv_map_write: as pgv_write on all %zu values "
	    "(%zu differ)", sizeof(cases) / sizeof(cases[0]), differ);
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

/*
 * A json element is embedded while the whole value, array levels
 * included, nests no deeper than EMBED_DEPTH_MAX; a scalar json value
 * may use all of it.
 */
static void
test_json_depth(void)
{
	static const struct {
		unsigned int	 oid;
		int		 ndims, depth;
		bool		 embedded;
	} d[] = {
		{ 114, 0, EMBED_DEPTH_MAX, true },
		{ 114, 0, EMBED_DEPTH_MAX + 1, false },
		{ 199, 1, EMBED_DEPTH_MAX - 1, true },
		{ 199, 1, EMBED_DEPTH_MAX, false },
		{ 3807, 2, EMBED_DEPTH_MAX - 2, true },
		{ 3807, 2, EMBED_DEPTH_MAX - 1, false },
	};
	struct jw	 w;
	char		 text[256], json[256], want[512];
	size_t		 i;
	int		 k;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		json[0] = '\0';
		for (k = 0; k < d[i].depth; k++)
			strlcat(json, "[", sizeof(json));
		for (k = 0; k < d[i].depth; k++)
			strlcat(json, "]", sizeof(json));
		text[0] = want[0] = '\0';
		strlcat(want, "[", sizeof(want));
		for (k = 0; k < d[i].ndims; k++) {
			strlcat(text, "{", sizeof(text));
			strlcat(want, "[", sizeof(want));
		}
		strlcat(text, json, sizeof(text));
		strlcat(want, d[i].embedded ? "" : "\"", sizeof(want));
		strlcat(want, json, sizeof(want));
		strlcat(want, d[i].embedded ? "" : "\"", sizeof(want));
		for (k = 0; k < d[i].ndims; k++) {
			strlcat(text, "}", sizeof(text));
			strlcat(want, "]", sizeof(want));
		}
		strlcat(want, "]", sizeof(want));
		jw_init(&w);
		jw_arr_open(&w);
		pgv_write(&w, d[i].oid, text, strlen(text), false);
		jw_arr_close(&w);
		T_OK(!w.failed && strcmp(w.buf, want) == 0,
		    "json depth %d in %d array levels: %s", d[i].depth,
		    d[i].ndims, d[i].embedded ? "embedded" : "a string");
		jw_free(&w);
	}
}

/* The nesting test as first written: one byte at a time, all of them. */
static bool
ref_shallow(const char *s, size_t len, int max)
{
	size_t	 i;
	int	 depth = 0;
	bool	 instr = false, esc = false;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (esc)
				esc = false;
			else if (s[i] == '\\')
				esc = true;
			else if (s[i] == '"')
				instr = false;
		} else if (s[i] == '"')
			instr = true;
		else if (s[i] == '[' || s[i] == '{') {
			if (++depth > max)
				return false;
		} else if (s[i] == ']' || s[i] == '}')
			depth--;
	}
	return true;
}

/*
 * json and jsonb are embedded when they nest no deeper than
 * EMBED_DEPTH_MAX, else written as a string: on many texts with brackets
 * in and out of strings and escaped quotes, pgv_write must decide as the
 * byte-at-a-time reference does.
 */
static void
test_json_many(void)
{
	static const char *pieces[] = {
		"[", "]", "{", "}", "\"", "\\", "\\\"", "\"[[[[\"", "1", ",",
		":", " ", "[[[[[[[[", "]]]]", "{{{{{{{{", "\"a\\\\\"",
		"\xc3\xa9", "x"
	};
	const size_t	 npieces = sizeof(pieces) / sizeof(pieces[0]);
	char		 text[128];
	struct jw	 a, b;
	unsigned int	 seed = 99;
	size_t		 i, k, n, len, pl, wrong = 0, strings = 0;
	const char	*pc;

	jw_init(&a);
	jw_init(&b);
	for (i = 0; i < 30000; i++) {
		n = i % 40;
		for (len = 0, k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			pc = pieces[(seed >> 16) % npieces];
			pl = strlen(pc);
			if (len + pl > sizeof(text))
				break;
			memcpy(text + len, pc, pl);
			len += pl;
		}
		jw_reset(&a);
		jw_reset(&b);
		jw_arr_open(&a);
		jw_arr_open(&b);
		pgv_write(&a, i % 2 ? 114 : 3802, text, len, false);
		if (ref_shallow(text, len, EMBED_DEPTH_MAX))
			jw_raw(&b, text, len);
		else {
			jw_strn(&b, text, len);
			strings++;
		}
		jw_arr_close(&a);
		jw_arr_close(&b);
		if (a.failed != b.failed || (!a.failed &&
		    strcmp(a.buf, b.buf) != 0))
			wrong++;
	}
	T_OK(wrong == 0 && strings > 0, "json: embedded or a string as the "
	    "reference decides, 30000 texts, %zu strings (%zu differ)",
	    strings, wrong);
	jw_free(&a);
	jw_free(&b);
}

/*
 * Every prefix of every array case is valid JSON, and a string unless it
 * ends with the closing brace: a cut literal never passes for an array.
 * The prefix is copied to a buffer of its exact size (AddressSanitizer).
 */
/*
 * Exactly the 81 built-in array types are arrays: an empty literal of
 * each is [], and no other OID from 0 to 20000 is looked up as an array
 * (its "{}" stays a string).  The lookup is a binary search over a sorted
 * table; an entry it could not reach would change the count.
 */
static void
test_array_types(void)
{
	static const unsigned int some[] = { 143, 1000, 1007, 1009, 1020,
	    3807, 6157 };
	struct jw	 w;
	unsigned int	 oid, elem;
	size_t		 i, arrays = 0, wrong = 0;

	jw_init(&w);
	for (oid = 0; oid <= 20000; oid++) {
		if ((elem = array_elem(oid)) == 0)
			continue;
		arrays++;
		jw_reset(&w);
		if (array_write_elem(&w, elem, "{}", 2) != 0 ||
		    strcmp(w.buf, "[]") != 0)
			wrong++;
	}
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		jw_reset(&w);
		if ((elem = array_elem(some[i])) == 0 ||
		    array_write_elem(&w, elem, "{}", 2) != 0)
			wrong++;
	}
	T_OK(arrays == 81 && wrong == 0, "array types: %zu of 81 found, %zu "
	    "wrong", arrays, wrong);
	jw_free(&w);
}

static void
test_array_prefixes(void)
{
	struct jw	 w;
	struct error	 err;
	size_t		 i, cut, n = 0, bad = 0;
	char		*p;
	int		 ntok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];

		/* Array literals only: a number's prefix is a number. */
		if (c->isnull || c->len == 0 || c->oid == 114 ||
		    c->oid == 3802 || strchr("{[ ", c->text[0]) == NULL)
			continue;
		for (cut = 0; cut < c->len; cut++, n++) {
			if ((p = malloc(cut > 0 ? cut : 1)) == NULL)
				abort();
			memcpy(p, c->text, cut);
			jw_init(&w);
			pgv_write(&w, c->oid, p, cut, false);
			if (w.failed ||
			    json_check(w.buf, w.len, &ntok, &err) == -1 ||
			    (cut > 0 && p[cut - 1] != '}' && w.buf[0] != '"'))
				bad++;
			jw_free(&w);
			free(p);
		}
	}
	T_OK(n > 500 && bad == 0, "%zu array prefixes: valid JSON, %zu not",
	    n, bad);
}

/* An array under the writer's limit: the writer fails, within it. */
static void
test_array_limit(void)
{
	static const char text[] = "{\"a b\",\"c\\\"d\",NULL,\"e\"}";
	static const char want[] = "[\"a b\",\"c\\\"d\",null,\"e\"]";
	struct jw	 w;
	size_t		 lim;
	bool		 ok = true;

	for (lim = 1; lim < sizeof(want) - 1; lim++) {
		jw_init(&w);
		jw_limit(&w, lim);
		pgv_write(&w, 1009, text, sizeof(text) - 1, false);
		if (!w.failed || w.len > lim)
			ok = false;
		jw_free(&w);
	}
	jw_init(&w);
	jw_limit(&w, sizeof(want) - 1);
	pgv_write(&w, 1009, text, sizeof(text) - 1, false);
	T_OK(ok && !w.failed && strcmp(w.buf, want) == 0,
	    "a text[] fails every limit below its %zu bytes, fits in them",
	    sizeof(want) - 1);
	jw_free(&w);
}

/* geometry and geography are GeoJSON once, and only while, known. */
static void
test_geo(void)
{
	static const char pt[] =
	    "0101000020110F0000000000000000F03F0000000000000040";
	static const char gj[] =
	    "[{\"type\":\"Point\",\"srid\":3857,\"coordinates\":[1,2]}]";
	static const char str[] =
	    "[\"0101000020110F0000000000000000F03F0000000000000040\"]";
	static const char cut[] = "0101000020110F0000000000000000F03F";
	static const struct {
		const char	*name;
		unsigned int	 geometry, geography, oid;
		const char	*text, *want;
	} g[] = {
		{ "unknown: a string", 0, 0, 90001, pt, str },
		{ "geometry", 90001, 90002, 90001, pt, gj },
		{ "geography", 90001, 90002, 90002, pt, gj },
		{ "truncated: its text", 90001, 90002, 90001, cut,
		    "[\"0101000020110F0000000000000000F03F\"]" },
		{ "oid 0 is never PostGIS", 90001, 0, 0, pt, str },
		{ "after reset: a string", 0, 0, 90001, pt, str },
		{ "text oid: a string", 90001, 90002, 25, pt, str },
	};
	struct jw	 w;
	struct pgv_map	 map;
	size_t		 i;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		pgv_set_geo_oids(g[i].geometry, g[i].geography);
		jw_init(&w);
		jw_arr_open(&w);
		pgv_write(&w, g[i].oid, g[i].text, strlen(g[i].text), false);
		jw_arr_close(&w);
		T_OK(!w.failed && strcmp(w.buf, g[i].want) == 0,
		    "PostGIS %s (got %s)", g[i].name, w.buf);
		jw_free(&w);
		jw_init(&w);
		jw_arr_open(&w);
		pgv_map(&map, g[i].oid);
		pgv_map_write(&w, &map, g[i].text, strlen(g[i].text), false);
		jw_arr_close(&w);
		T_OK(!w.failed && strcmp(w.buf, g[i].want) == 0,
		    "PostGIS %s, mapped once (got %s)", g[i].name, w.buf);
		jw_free(&w);
	}
	pgv_set_geo_oids(0, 0);
}

int
main(void)
{
	test_table();
	test_row();
	test_json_depth();
	test_json_many();
	test_array_types();
	test_array_prefixes();
	test_array_limit();
	test_geo();
	return t_exit();
}
