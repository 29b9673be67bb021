/*
 * json.c: the strict reader.  A table of lines that must parse (with their
 * token counts) and lines that must not (with the exact error), then the
 * caps, duplicate keys and the accessors.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "t.h"

#define L(s)	s, sizeof(s) - 1

struct pcase {
	const char	*in;
	size_t		 len;
	int		 ntok;		/* tokens if valid, else -1 */
	const char	*msg;		/* exact error if invalid */
};

static const struct pcase cases[] = {
	/* Valid lines. */
	{ L("{}"), 1, NULL },
	{ L("[]"), 1, NULL },
	{ L("{\"a\":1}"), 3, NULL },
	{ L("{\"a\":[1,2]}"), 5, NULL },
	{ L(" \t\r\n{ \"a\" : [ 1 , 2 ] } \r\n "), 5, NULL },
	{ L("0"), 1, NULL },
	{ L("-0"), 1, NULL },
	{ L("-0.0e-0"), 1, NULL },
	{ L("1E+2"), 1, NULL },
	{ L("123.456e789"), 1, NULL },
	{ L("  42  "), 1, NULL },
	{ L("\"str\""), 1, NULL },
	{ L("true"), 1, NULL },
	{ L("false"), 1, NULL },
	{ L("null"), 1, NULL },
	{ L("[true,false,null]"), 4, NULL },
	{ L("\"\\u00e9\\ud83d\\ude00\""), 1, NULL },
	{ L("\"\\uD83D\\uDE00\""), 1, NULL },
	{ L("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), 1, NULL },
	{ L("\"\\u0000\""), 1, NULL },
	{ L("\"\xf0\x9f\x98\x80\""), 1, NULL },		/* U+1F600 */
	{ L("\"\xf4\x8f\xbf\xbf\""), 1, NULL },		/* U+10FFFF */
	{ L("\"\xef\xbf\xbf\""), 1, NULL },		/* U+FFFF */
	{ L("\"\xed\x9f\xbf\""), 1, NULL },		/* U+D7FF */
	{ L("\"\xee\x80\x80\""), 1, NULL },		/* U+E000 */
	{ L("\"\xc2\x80\xdf\xbf\""), 1, NULL },		/* U+0080 U+07FF */
	{ L("\"\x7f\""), 1, NULL },			/* DEL is no control */
	{ L("[[[[]]]]"), 4, NULL },
	{ L("{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}"), 11, NULL },
	{ L("[1,\"a\",{\"b\":[]},[],{}]"), 8, NULL },
	{ L("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), 7, NULL },
	{ L("{\"\":1}"), 3, NULL },
	{ L("{\"a\":1,\"A\":2,\"a \":3}"), 7, NULL },
	{ L("{\"\\ud83d\\ude00\":1,\"\\ud83d\\ude01\":2}"), 5, NULL },
	{ L("{\"a\":{\"id\":1},\"id\":2}"), 7, NULL },

	/* Everything jsmn would accept. */
	{ L("{\"a\"}"), -1, "parse error at byte 4: expected ':' after key" },
	{ L("{\"a\":1,}"), -1,
	    "parse error at byte 7: trailing comma in object" },
	{ L("{\"a\"::1}"), -1, "parse error at byte 5: expected a value" },
	{ L("{}{}"), -1,
	    "parse error at byte 2: trailing data after the value" },
	{ L("{\"a\":tru}"), -1, "parse error at byte 5: invalid literal" },
	{ L("[\"a\tb\"]"), -1,
	    "parse error at byte 3: control character in string" },
	{ L("01"), -1, "parse error at byte 1: leading zero in number" },
	{ L("1."), -1, "parse error at byte 2: expected a digit after '.'" },
	{ L("-"), -1, "parse error at byte 1: expected a digit after '-'" },
	{ L("\"\\x\""), -1, "parse error at byte 1: invalid escape in string" },
	{ L("\"\\u12\""), -1,
	    "parse error at byte 1: invalid \\u escape in string" },
	{ L("[\"a\"\0]"), -1, "NUL byte at byte 4" },

	/* Structure. */
	{ L(""), -1, "parse error at byte 0: unexpected end of input" },
	{ L("   "), -1, "parse error at byte 3: unexpected end of input" },
	{ L("["), -1, "parse error at byte 1: unexpected end of input" },
	{ L("[1,"), -1, "parse error at byte 3: unexpected end of input" },
	{ L("{\"a\""), -1, "parse error at byte 4: unexpected end of input" },
	{ L("{\"a\":"), -1, "parse error at byte 5: unexpected end of input" },
	{ L("{\"a\":1"), -1, "parse error at byte 6: unexpected end of input" },
	{ L("{\"a\":{\"b\":1}"), -1,
	    "parse error at byte 12: unexpected end of input" },
	{ L("[1]x"), -1,
	    "parse error at byte 3: trailing data after the value" },
	{ L("[1,2]]"), -1,
	    "parse error at byte 5: trailing data after the value" },
	{ L("{\"a\":1}}"), -1,
	    "parse error at byte 7: trailing data after the value" },
	{ L("1 2"), -1,
	    "parse error at byte 2: trailing data after the value" },
	{ L("truex"), -1,
	    "parse error at byte 4: trailing data after the value" },
	{ L("0x10"), -1,
	    "parse error at byte 1: trailing data after the value" },
	{ L("[1,]"), -1, "parse error at byte 3: trailing comma in array" },
	{ L("[1 , ]"), -1, "parse error at byte 5: trailing comma in array" },
	{ L("[,1]"), -1, "parse error at byte 1: expected a value" },
	{ L("[1 2]"), -1, "parse error at byte 3: expected ',' or ']'" },
	{ L("[1}"), -1, "parse error at byte 2: expected ',' or ']'" },
	{ L("{\"a\":1 \"b\":2}"), -1,
	    "parse error at byte 7: expected ',' or '}'" },
	{ L("{\"a\":1]"), -1, "parse error at byte 6: expected ',' or '}'" },
	{ L("{\"a\" 1}"), -1, "parse error at byte 5: expected ':' after key" },
	{ L("{1:2}"), -1, "parse error at byte 1: expected a string key" },
	{ L("{'a':1}"), -1, "parse error at byte 1: expected a string key" },
	{ L("{\"a\":1,,\"b\":2}"), -1,
	    "parse error at byte 7: expected a string key" },
	{ L("[{]"), -1, "parse error at byte 2: expected a string key" },
	{ L("{\"a\":[}"), -1, "parse error at byte 6: expected a value" },
	{ L("]"), -1, "parse error at byte 0: expected a value" },
	{ L("\x01"), -1, "parse error at byte 0: expected a value" },
	{ L("[\v1]"), -1, "parse error at byte 1: expected a value" },
	{ L("[1,\f2]"), -1, "parse error at byte 3: expected a value" },
	{ L("\xef\xbb\xbf{}"), -1, "parse error at byte 0: expected a value" },

	/* Literals and numbers. */
	{ L("nul"), -1, "parse error at byte 0: invalid literal" },
	{ L("True"), -1, "parse error at byte 0: expected a value" },
	{ L("NaN"), -1, "parse error at byte 0: expected a value" },
	{ L("Infinity"), -1, "parse error at byte 0: expected a value" },
	{ L("+1"), -1, "parse error at byte 0: expected a value" },
	{ L(".5"), -1, "parse error at byte 0: expected a value" },
	{ L("-01"), -1, "parse error at byte 2: leading zero in number" },
	{ L("--1"), -1, "parse error at byte 1: expected a digit after '-'" },
	{ L("[-]"), -1, "parse error at byte 2: expected a digit after '-'" },
	{ L("1.e5"), -1, "parse error at byte 2: expected a digit after '.'" },
	{ L("1e"), -1, "parse error at byte 2: expected a digit in exponent" },
	{ L("1e+"), -1, "parse error at byte 3: expected a digit in exponent" },
	{ L("[1.5e]"), -1,
	    "parse error at byte 5: expected a digit in exponent" },

	/* Strings and escapes. */
	{ L("\"abc"), -1, "parse error at byte 0: unterminated string" },
	{ L("\"\\"), -1, "parse error at byte 0: unterminated string" },
	{ L("\"a\nb\""), -1,
	    "parse error at byte 2: control character in string" },
	{ L("\"\\a\""), -1, "parse error at byte 1: invalid escape in string" },
	{ L("\"\\U0041\""), -1,
	    "parse error at byte 1: invalid escape in string" },
	{ L("\"\\uZZZZ\""), -1,
	    "parse error at byte 1: invalid \\u escape in string" },
	{ L("\"\\ud800\""), -1,
	    "parse error at byte 1: lone surrogate in \\u escape" },
	{ L("\"\\udc00\""), -1,
	    "parse error at byte 1: lone surrogate in \\u escape" },
	{ L("\"x\\ud800\\u0041\""), -1,
	    "parse error at byte 2: lone surrogate in \\u escape" },
	{ L("\"\\ud800x\""), -1,
	    "parse error at byte 1: lone surrogate in \\u escape" },
	{ L("\"\\udbff\\udbff\""), -1,
	    "parse error at byte 1: lone surrogate in \\u escape" },

	/* Bytes: UTF-8 and NUL. */
	{ L("\"\xc0\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xc1\xbf\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xe0\x80\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xf0\x80\x80\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xed\xa0\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xf4\x90\x80\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xf5\x80\x80\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xe2\x82\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xf0\x9f\x98\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"ab\xe2\x82"), -1, "invalid UTF-8 at byte 3" },
	{ L("\"\x80\""), -1, "invalid UTF-8 at byte 1" },
	{ L("\"\xff\""), -1, "invalid UTF-8 at byte 1" },
	{ L("{\"a\":1}\xc3"), -1, "invalid UTF-8 at byte 7" },
	{ L("\0"), -1, "NUL byte at byte 0" },
	{ L("[1]\0"), -1, "NUL byte at byte 3" },
	{ L("\"a\0b\""), -1, "NUL byte at byte 2" },

	/* Duplicate keys, compared after unescaping. */
	{ L("{\"id\":1,\"id\":2}"), -1,
	    "parse error at byte 8: duplicate key \"id\"" },
	{ L("{\"id\":1,\"\\u0069d\":2}"), -1,
	    "parse error at byte 8: duplicate key \"\\u0069d\"" },
	{ L("{\"a\":{\"x\":1,\"y\":2,\"x\":3}}"), -1,
	    "parse error at byte 18: duplicate key \"x\"" },
	{ L("{\"b\":1,\"a\":2,\"b\":3,\"a\":4}"), -1,
	    "parse error at byte 13: duplicate key \"b\"" },
	{ L("[{},{\"\":1,\"\":2}]"), -1,
	    "parse error at byte 10: duplicate key \"\"" },
};

static void
test_table(void)
{
	struct json_doc	 doc;
	struct error	 err;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];

		memset(&err, 0, sizeof(err));
		rc = json_parse(&doc, c->in, c->len, &err);
		if (c->ntok >= 0) {
			T_OK(rc == 0 && doc.ntok == c->ntok,
			    "valid: %s (%d tokens; got rc %d, %d tokens, %s)",
			    t_show(c->in, c->len), c->ntok, rc, doc.ntok,
			    rc == 0 ? "-" : err.msg);
			/* Every valid line must also be valid UTF-8. */
			T_OK(json_utf8_valid(c->in, c->len),
			    "utf8 valid: %s", t_show(c->in, c->len));
		} else {
			T_OK(rc == -1 && err.code == RPC_PARSE_ERROR &&
			    doc.tok == NULL && strcmp(err.msg, c->msg) == 0,
			    "invalid: %s -> \"%s\" (got rc %d: \"%s\")",
			    t_show(c->in, c->len), c->msg, rc,
			    rc == -1 ? err.msg : "");
		}
		json_free(&doc);
	}
}

static void
test_utf8(void)
{
	T_OK(json_utf8_valid("", 0), "utf8: empty is valid");
	T_OK(json_utf8_valid("a\0b", 3), "utf8: NUL is valid UTF-8");
	T_OK(json_utf8_valid("\xf0\x9f\x98\x80", 4), "utf8: emoji");
	T_OK(!json_utf8_valid("\xf0\x9f\x98\x80", 3), "utf8: cut emoji");
	T_OK(!json_utf8_valid("\xc0\x80", 2), "utf8: overlong C0 80");
	T_OK(!json_utf8_valid("\xe0\x80\x80", 3), "utf8: overlong E0 80 80");
	T_OK(!json_utf8_valid("\xed\xa0\x80", 3), "utf8: surrogate ED A0 80");
	T_OK(!json_utf8_valid("\xed\xbf\xbf", 3), "utf8: surrogate ED BF BF");
	T_OK(!json_utf8_valid("\xf4\x90\x80\x80", 4), "utf8: F4 90 80 80");
	T_OK(!json_utf8_valid("a\xe2\x82", 3), "utf8: truncated at end");
	T_OK(!json_utf8_valid("\xe2\x28\xa1", 3), "utf8: bad continuation");
}

/*
 * n arrays ([[...]]) or n objects ({"a":{"a":...}}) nested, the innermost
 * empty; the caller frees.
 */
static char *
nest(int n, bool obj, size_t *len)
{
	char	*s, *p;
	int	 i;

	if ((s = malloc((size_t)n * 8 + 8)) == NULL)
		abort();
	p = s;
	for (i = 0; i < n; i++) {
		if (obj && i > 0) {
			memcpy(p, "\"a\":", 4);
			p += 4;
		}
		*p++ = obj ? '{' : '[';
	}
	for (i = 0; i < n; i++)
		*p++ = obj ? '}' : ']';
	*len = (size_t)(p - s);
	return s;
}

static void
test_caps(void)
{
	struct json_doc	 doc;
	struct error	 err;
	char		*s;
	size_t		 len, i, o;
	int		 rc;

	s = nest(JSON_DEPTH_MAX, false, &len);
	rc = json_parse(&doc, s, len, &err);
	T_OK(rc == 0 && doc.ntok == JSON_DEPTH_MAX,
	    "depth: %d nested arrays parse", JSON_DEPTH_MAX);
	json_free(&doc);
	free(s);

	s = nest(JSON_DEPTH_MAX + 1, false, &len);
	rc = json_parse(&doc, s, len, &err);
	T_OK(rc == -1 && strcmp(err.msg, "nesting deeper than 64 at byte 64")
	    == 0, "depth: %d nested arrays rejected (%s)",
	    JSON_DEPTH_MAX + 1, err.msg);
	json_free(&doc);
	free(s);

	s = nest(JSON_DEPTH_MAX, true, &len);
	rc = json_parse(&doc, s, len, &err);
	T_OK(rc == 0 && doc.ntok == 2 * JSON_DEPTH_MAX - 1,
	    "depth: %d nested objects parse", JSON_DEPTH_MAX);
	json_free(&doc);
	free(s);

	s = nest(JSON_DEPTH_MAX + 1, true, &len);
	rc = json_parse(&doc, s, len, &err);
	/* The 65th '{' follows 64 braces and 64 "a": keys. */
	T_OK(rc == -1 && strcmp(err.msg,
	    "nesting deeper than 64 at byte 320") == 0,
	    "depth: %d nested objects rejected (%s)", JSON_DEPTH_MAX + 1,
	    err.msg);
	json_free(&doc);
	free(s);

	/* An array of n zeros has n + 1 tokens. */
	len = 2 * (size_t)JSON_TOKENS_MAX + 2;
	if ((s = malloc(len)) == NULL)
		abort();
	s[0] = '[';
	for (i = 0; i < (size_t)JSON_TOKENS_MAX - 1; i++) {
		s[1 + 2 * i] = '0';
		s[2 + 2 * i] = ',';
	}
	s[2 * i] = ']';
	rc = json_parse(&doc, s, 2 * i + 1, &err);
	T_OK(rc == 0 && doc.ntok == JSON_TOKENS_MAX &&
	    json_size(&doc, 0) == JSON_TOKENS_MAX - 1,
	    "tokens: exactly %d parse", JSON_TOKENS_MAX);
	T_OK(rc == 0 && json_child(&doc, 0, JSON_TOKENS_MAX - 2) ==
	    JSON_TOKENS_MAX - 1, "tokens: last element reachable");
	json_free(&doc);
	s[2 * i] = ',';
	s[2 * i + 1] = '0';
	s[2 * i + 2] = ']';
	rc = json_parse(&doc, s, 2 * i + 3, &err);
	T_OK(rc == -1 && err.code == RPC_PARSE_ERROR &&
	    strcmp(err.msg, "more than 65536 tokens at byte 131071") == 0,
	    "tokens: %d rejected (%s)", JSON_TOKENS_MAX + 1, err.msg);
	json_free(&doc);
	free(s);

	/* Many distinct keys; then the same with a repeat at the end. */
	len = 32000 * 12 + 32;
	if ((s = malloc(len)) == NULL)
		abort();
	o = 0;
	s[o++] = '{';
	for (i = 0; i < 32000; i++)
		o += (size_t)snprintf(s + o, len - o, "%s\"k%05zu\":0",
		    i > 0 ? "," : "", (i * 7919) % 32000);
	s[o] = '}';
	rc = json_parse(&doc, s, o + 1, &err);
	T_OK(rc == 0 && json_size(&doc, 0) == 32000 &&
	    json_type(&doc, json_member(&doc, 0, "k31999")) == JSON_NUMBER,
	    "dupkeys: 32000 distinct keys parse (%s)", rc ? err.msg : "ok");
	json_free(&doc);
	/* Members are 11 bytes, the first 10: the new key is at 352001. */
	o += (size_t)snprintf(s + o, len - o, ",\"k12345\":1}");
	rc = json_parse(&doc, s, o, &err);
	T_OK(rc == -1 && strcmp(err.msg, "parse error at byte 352001: "
	    "duplicate key \"k12345\"") == 0,
	    "dupkeys: a repeat among 32001 keys is found (%s)", err.msg);
	json_free(&doc);
	free(s);

	/* A long repeated key is quoted in part. */
	s = strdup("{\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":1,"
	    "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":2}");
	rc = json_parse(&doc, s, strlen(s), &err);
	T_OK(rc == -1 && strcmp(err.msg, "parse error at byte 56: duplicate "
	    "key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...\"") == 0,
	    "dupkeys: long key quoted in part (%s)", err.msg);
	json_free(&doc);
	free(s);
}

static void
test_access(void)
{
	static const char doc1[] = "{\"n\":{\"id\":0,\"x\":[{\"id\":-1},"
	    "[1,[2,{\"id\":-2}]]]},\"s\":\"x\",\"id\":7,\"z\":{\"id\":8},"
	    "\"b\":[{\"id\":4},true,false,null,\"\"]}";
	struct json_doc	 doc;
	struct error	 err;
	const char	*p;
	size_t		 n;
	long long	 v;
	int		 t, b, rc;

	rc = json_parse(&doc, doc1, sizeof(doc1) - 1, &err);
	T_OK(rc == 0, "access: document parses (%s)", rc ? err.msg : "ok");
	if (rc == -1)
		return;
	T_OK(json_type(&doc, 0) == JSON_OBJECT, "access: root is an object");
	T_OK(json_size(&doc, 0) == 5, "access: root has 5 members");
	t = json_member(&doc, 0, "id");
	T_OK(json_int(&doc, t, 0, 100, &v) == 0 && v == 7,
	    "access: \"id\" after nested \"id\"s is 7");
	t = json_member(&doc, json_member(&doc, 0, "z"), "id");
	T_OK(json_int(&doc, t, 0, 100, &v) == 0 && v == 8,
	    "access: z.id is 8");
	T_OK(json_member(&doc, 0, "x") == -1,
	    "access: nested key is no member of the root");
	T_OK(json_member(&doc, 0, "i") == -1 &&
	    json_member(&doc, 0, "idx") == -1,
	    "access: prefixes and extensions of a key do not match");
	T_OK(json_type(&doc, json_member(&doc, 0, "nope")) == JSON_NONE,
	    "access: absent member has type NONE");
	T_OK(json_member(&doc, json_member(&doc, 0, "s"), "id") == -1,
	    "access: member of a string is -1");
	T_OK(json_member(&doc, -1, "id") == -1 &&
	    json_member(&doc, 10000, "id") == -1,
	    "access: member of an out-of-range token is -1");
	b = json_member(&doc, 0, "b");
	T_OK(json_type(&doc, b) == JSON_ARRAY && json_size(&doc, b) == 5,
	    "access: b is an array of 5");
	T_OK(json_type(&doc, json_child(&doc, b, 0)) == JSON_OBJECT &&
	    json_type(&doc, json_child(&doc, b, 1)) == JSON_BOOL &&
	    json_type(&doc, json_child(&doc, b, 2)) == JSON_BOOL &&
	    json_type(&doc, json_child(&doc, b, 3)) == JSON_NULL &&
	    json_type(&doc, json_child(&doc, b, 4)) == JSON_STRING,
	    "access: element types object, bool, bool, null, string");
	T_OK(json_child(&doc, b, 5) == -1 && json_child(&doc, b, -1) == -1,
	    "access: child out of range is -1");
	t = json_child(&doc, json_child(&doc, b, 0), 0);
	T_OK(json_streq(&doc, t, "id"), "access: key 0 of b[0] is \"id\"");
	T_OK(json_streq(&doc, json_child(&doc, 0, 3), "z") &&
	    json_streq(&doc, json_child(&doc, 0, 4), "b"),
	    "access: object children are keys in order");
	T_OK(json_size(&doc, json_member(&doc, 0, "s")) == 0,
	    "access: size of a string is 0");
	p = json_raw(&doc, json_member(&doc, 0, "s"), &n);
	T_OK(p != NULL && n == 1 && *p == 'x', "access: raw string unquoted");
	p = json_raw(&doc, json_member(&doc, 0, "n"), &n);
	T_OK(p != NULL && n == 42 && p[0] == '{' && p[n - 1] == '}',
	    "access: raw object spans its braces");
	p = json_raw(&doc, -1, &n);
	T_OK(p == NULL && n == 0, "access: raw of -1 is NULL");
	T_OK(json_type(&doc, -1) == JSON_NONE &&
	    json_type(&doc, doc.ntok) == JSON_NONE,
	    "access: type out of range is NONE");
	json_free(&doc);
	T_OK(doc.tok == NULL && doc.ntok == 0, "access: json_free clears");
}

/* Parse s; return the root's index 0 in *doc or fail the test. */
static bool
parse1(struct json_doc *doc, const char *s)
{
	struct error	 err;

	if (json_parse(doc, s, strlen(s), &err) == 0)
		return true;
	T_OK(0, "parse %s: %s", s, err.msg);
	return false;
}

static void
test_strings(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: json_strdup fails */
	} sc[] = {
		{ "\"plain\"", "plain" },
		{ "\"\"", "" },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
		{ "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
		{ "\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf" },
		{ "\"\xf0\x9f\x98\x80 raw\"", "\xf0\x9f\x98\x80 raw" },
		{ "\"\\u007f\\u0080\\u07ff\\u0800\"",
		    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80" },
		{ "\"a\\u0000b\"", NULL },
		{ "\"\\u0000\"", NULL },
		{ "1", NULL },
		{ "null", NULL },
		{ "[\"a\"]", NULL },
	};
	struct json_doc	 doc;
	char		*s;
	size_t		 i;

	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		if (!parse1(&doc, sc[i].in))
			continue;
		s = json_strdup(&doc, 0);
		if (sc[i].out == NULL)
			T_OK(s == NULL, "strdup: %s -> NULL", sc[i].in);
		else
			T_OK(s != NULL && strcmp(s, sc[i].out) == 0,
			    "strdup: %s", sc[i].in);
		if (sc[i].out != NULL)
			T_OK(json_streq(&doc, 0, sc[i].out),
			    "streq: %s equals its unescaping", sc[i].in);
		free(s);
		json_free(&doc);
	}

	if (parse1(&doc, "[\"\\u0061bc\",\"ab\",\"a\\u0000\",\"\\u00e9\",1]")) {
		T_OK(json_streq(&doc, 1, "abc"), "streq: \\u0061bc == abc");
		T_OK(!json_streq(&doc, 1, "ab"), "streq: abc != ab");
		T_OK(!json_streq(&doc, 2, "abc"), "streq: ab != abc");
		T_OK(!json_streq(&doc, 1, "abd"), "streq: abc != abd");
		T_OK(!json_streq(&doc, 3, "a"), "streq: a\\u0000 != a");
		T_OK(json_streq(&doc, 4, "\xc3\xa9") &&
		    !json_streq(&doc, 4, "\xc3"), "streq: \\u00e9 == UTF-8");
		T_OK(!json_streq(&doc, 5, "1"), "streq: a number is no string");
		T_OK(!json_streq(&doc, 1, NULL), "streq: NULL is no string");
		T_OK(!json_streq(&doc, -1, ""), "streq: absent is no string");
		json_free(&doc);
	}
	if (parse1(&doc, "{\"\\u0069d\":5,\"m\\/x\":6}")) {
		T_OK(json_member(&doc, 0, "id") == 2,
		    "member: escaped key \\u0069d found as id");
		T_OK(json_member(&doc, 0, "m/x") == 4,
		    "member: escaped key m\\/x found as m/x");
		json_free(&doc);
	}
}

static void
test_int(void)
{
	static const struct {
		const char	*in;
		long long	 min, max;
		int		 rc;
		long long	 v;
	} ic[] = {
		{ "0", LLONG_MIN, LLONG_MAX, 0, 0 },
		{ "-0", LLONG_MIN, LLONG_MAX, 0, 0 },
		{ "42", LLONG_MIN, LLONG_MAX, 0, 42 },
		{ "-42", LLONG_MIN, LLONG_MAX, 0, -42 },
		{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX },
		{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN },
		{ "9223372036854775808", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "18446744073709551616", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "99999999999999999999999", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "1.0", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "1e2", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "1E2", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "10", 1, 10, 0, 10 },
		{ "1", 1, 10, 0, 1 },
		{ "0", 1, 10, -1, 0 },
		{ "11", 1, 10, -1, 0 },
		{ "-1", 0, 10, -1, 0 },
		{ "\"1\"", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "true", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "null", LLONG_MIN, LLONG_MAX, -1, 0 },
		{ "[1]", LLONG_MIN, LLONG_MAX, -1, 0 },
	};
	struct json_doc	 doc;
	struct error	 err;
	long long	 v;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(ic) / sizeof(ic[0]); i++) {
		if (!parse1(&doc, ic[i].in))
			continue;
		v = 12345;
		rc = json_int(&doc, 0, ic[i].min, ic[i].max, &v);
		if (ic[i].rc == 0)
			T_OK(rc == 0 && v == ic[i].v, "int: %s in [%lld, %lld]"
			    " is %lld (got %lld)", ic[i].in, ic[i].min,
			    ic[i].max, ic[i].v, v);
		else
			T_OK(rc == -1 && v == 12345, "int: %s in [%lld, %lld]"
			    " rejected, *out untouched", ic[i].in, ic[i].min,
			    ic[i].max);
		json_free(&doc);
	}
	/* These are not even JSON: the parser stops them first. */
	T_OK(json_parse(&doc, "01", 2, &err) == -1 &&
	    json_parse(&doc, "-", 1, &err) == -1 &&
	    json_parse(&doc, "1.", 2, &err) == -1,
	    "int: 01, - and 1. never reach json_int");
}

int
main(void)
{
	test_table();
	test_utf8();
	test_caps();
	test_access();
	test_strings();
	test_int();
	return t_exit();
}
