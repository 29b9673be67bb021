/*
 * jw.c: the JSON writer.  Exact output for nested values, escaping and
 * U+FFFD replacement, jw_raw's whitespace stripping, the depth cap, every
 * misuse that must set failed, reset and growth.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "t.h"

#define RAW(w, s)	jw_raw(w, s, sizeof(s) - 1)
#define RAW_MAX(w, s, max)	jw_raw_max(w, s, sizeof(s) - 1, max)

/* True if w holds exactly want, NUL-terminated, and has not failed. */
static bool
is(const struct jw *w, const char *want)
{
	return !w->failed && w->buf != NULL && w->len == strlen(want) &&
	    strcmp(w->buf, want) == 0;
}

static void
test_nested(void)
{
	struct jw	 w;

	jw_init(&w);
	T_OK(is(&w, ""), "init: empty and printable");
	jw_obj_open(&w);
	jw_kint(&w, "a", 1);
	jw_key(&w, "b");
	jw_arr_open(&w);
	jw_bool(&w, true);
	jw_bool(&w, false);
	jw_null(&w);
	jw_str(&w, "x");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_key(&w, "c");
	jw_obj_open(&w);
	jw_key(&w, "d");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_kint(&w, "e", -9223372036854775807LL - 1);
	jw_kstr(&w, "f", "v");
	jw_kbool(&w, "g", false);
	jw_kstr(&w, "h", NULL);
	jw_obj_close(&w);
	T_OK(is(&w, "{\"a\":1,\"b\":[true,false,null,\"x\",{}],"
	    "\"c\":{\"d\":[]},\"e\":-9223372036854775808,\"f\":\"v\","
	    "\"g\":false,\"h\":null}"), "nested: %s", w.buf);
	T_OK(w.depth == 0, "nested: depth back to 0");
	jw_free(&w);

	jw_init(&w);
	jw_arr_open(&w);
	jw_arr_open(&w);
	jw_int(&w, 0);
	jw_arr_close(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_int(&w, 9223372036854775807LL);
	jw_arr_close(&w);
	T_OK(is(&w, "[[0],[],9223372036854775807]"), "arrays: %s", w.buf);
	jw_free(&w);

	jw_init(&w);
	jw_int(&w, 42);
	T_OK(is(&w, "42"), "top-level scalar: %s", w.buf);
	jw_free(&w);
}

static void
test_escape(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} ec[] = {
#define E(s, o)	{ s, sizeof(s) - 1, o }
		E("plain", "\"plain\""),
		E("", "\"\""),
		E("\"\\/", "\"\\\"\\\\/\""),
		E("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""),
		E("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
		E("a\0b", "\"a\\u0000b\""),
		E("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""),
		E("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""),
		/* C1 controls and U+2028/U+2029 never travel raw. */
		E("\xe2\x80\xa8", "\"\\u2028\""),
		E("a\xe2\x80\xa9" "b", "\"a\\u2029b\""),
		E("\xc2\x80\xc2\x85\xc2\x9f", "\"\\u0080\\u0085\\u009f\""),
		E("\xc2\xa0\xe2\x80\xa7\xe2\x80\xaa",
		    "\"\xc2\xa0\xe2\x80\xa7\xe2\x80\xaa\""),
		/* Every byte of an invalid sequence becomes U+FFFD. */
		E("\xff", "\"\xef\xbf\xbd\""),
		E("\x80", "\"\xef\xbf\xbd\""),
		E("a\xc0\x80z", "\"a\xef\xbf\xbd\xef\xbf\xbdz\""),
		E("\xe0\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
		E("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
		E("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd\""),
		E("x\xe2\x82", "\"x\xef\xbf\xbd\xef\xbf\xbd\""),
		E("\xe2\x82x", "\"\xef\xbf\xbd\xef\xbf\xbdx\""),
		E("\xc3\xa9\xc3", "\"\xc3\xa9\xef\xbf\xbd\""),
		E("\xf8\x88\x80\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
#undef E
	};
	struct jw	 w;
	size_t		 i;

	for (i = 0; i < sizeof(ec) / sizeof(ec[0]); i++) {
		jw_init(&w);
		jw_strn(&w, ec[i].in, ec[i].len);
		T_OK(is(&w, ec[i].out), "escape %zu: %s", i, w.buf);
		T_OK(json_utf8_valid(w.buf, w.len),
		    "escape %zu: output is valid UTF-8", i);
		jw_free(&w);
	}

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "a\"b\n\xff", "c");
	jw_obj_close(&w);
	T_OK(is(&w, "{\"a\\\"b\\n\xef\xbf\xbd\":\"c\"}"),
	    "escape: keys too: %s", w.buf);
	jw_free(&w);

	jw_init(&w);
	jw_str(&w, "stops\0here");
	T_OK(is(&w, "\"stops\""), "escape: jw_str stops at NUL: %s", w.buf);
	jw_free(&w);
}

static void
test_raw(void)
{
	struct jw	 w;

	jw_init(&w);
	RAW(&w, " {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\" : \"x  y\" } ");
	T_OK(is(&w, "{\"a\":[1,2],\"b\":\"x  y\"}"),
	    "raw: whitespace dropped outside strings: %s", w.buf);
	jw_free(&w);

	/* An escaped quote does not end the string; \\ before " does. */
	jw_init(&w);
	RAW(&w, "[\"a\\\" b\" , \"c\\\\\" , \"d\"]");
	T_OK(is(&w, "[\"a\\\" b\",\"c\\\\\",\"d\"]"),
	    "raw: escapes tracked: %s", w.buf);
	jw_free(&w);

	/* Not JSON, but the output must stay on one line regardless. */
	jw_init(&w);
	RAW(&w, "\"a\nb\"");
	T_OK(is(&w, "\"a\\u000ab\""), "raw: newline in a string escaped: %s",
	    w.buf);
	jw_free(&w);

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "r");
	RAW(&w, " 1 ");
	jw_key(&w, "s");
	jw_arr_open(&w);
	RAW(&w, "2");
	RAW(&w, "\n[3, 4]\n");
	jw_arr_close(&w);
	jw_kint(&w, "t", 5);
	jw_obj_close(&w);
	T_OK(is(&w, "{\"r\":1,\"s\":[2,[3,4]],\"t\":5}"),
	    "raw: as member and elements: %s", w.buf);
	jw_free(&w);

	/* Inside strings, C1 and the line separators are escaped too. */
	jw_init(&w);
	RAW(&w, "[\"\xc2\x85\xe2\x80\xa8\xe2\x80\xa9\x7f\xc3\xa9\"]");
	T_OK(is(&w, "[\"\\u0085\\u2028\\u2029\\u007f\xc3\xa9\"]"),
	    "raw: C1, U+2028, U+2029, DEL escaped in strings: %s", w.buf);
	jw_free(&w);

	jw_init(&w);
	RAW(&w, "");
	T_OK(w.failed, "raw: empty fails");
	jw_free(&w);

	jw_init(&w);
	RAW(&w, " \n\t");
	T_OK(w.failed, "raw: whitespace only fails");
	jw_free(&w);

	/*
	 * jw_raw_max: brackets in strings do not count; one level too deep
	 * writes nothing, not even the comma, and the writer goes on.
	 */
	jw_init(&w);
	jw_arr_open(&w);
	T_OK(RAW_MAX(&w, "[{\"a\": [\"]]\"]}]", 3) == 0 &&
	    RAW_MAX(&w, "[[[[1]]]]", 3) == -1 &&
	    RAW_MAX(&w, "[[[1]]]", 3) == 0, "raw_max: deeper fails");
	jw_str(&w, "x");
	jw_arr_close(&w);
	T_OK(is(&w, "[[{\"a\":[\"]]\"]}],[[[1]]],\"x\"]"),
	    "raw_max: the writer as it was after a refused value: %s", w.buf);
	jw_free(&w);
}

/* jw_limit: nothing over the limit is written, and the failure sticks. */
static void
test_limit(void)
{
	struct jw	 w;
	char		 big[1000];

	memset(big, 'x', sizeof(big));
	jw_init(&w);
	jw_limit(&w, 100);
	jw_strn(&w, big, 98);
	T_OK(!w.failed && w.len == 100, "limit: 100 bytes fit in 100");
	jw_free(&w);

	jw_init(&w);
	jw_limit(&w, 100);
	jw_strn(&w, big, sizeof(big));
	T_OK(w.failed && w.len <= 100 && w.cap <= 512,
	    "limit: a longer string fails without being written whole "
	    "(len %zu, cap %zu)", w.len, w.cap);
	jw_free(&w);

	jw_init(&w);
	jw_limit(&w, 10);
	RAW(&w, "[\"0123456789\"]");
	T_OK(w.failed && w.len <= 10, "limit: raw values too");
	jw_free(&w);

	jw_init(&w);
	jw_limit(&w, 10);
	jw_strn(&w, "\n\n\n\n\n", 5);	/* 12 bytes escaped */
	T_OK(w.failed, "limit: counts escaped bytes (%zu)", w.len);
	jw_reset(&w);
	jw_int(&w, 1);
	T_OK(!w.failed && is(&w, "1"), "limit: reset clears the failure");
	jw_free(&w);
}

static void
test_depth(void)
{
	struct jw	 w;
	char		 want[2 * JW_DEPTH_MAX + 1];
	int		 i;

	jw_init(&w);
	for (i = 0; i < JW_DEPTH_MAX; i++)
		jw_arr_open(&w);
	T_OK(!w.failed && w.depth == JW_DEPTH_MAX, "depth: %d levels open",
	    JW_DEPTH_MAX);
	for (i = 0; i < JW_DEPTH_MAX; i++)
		jw_arr_close(&w);
	memset(want, '[', JW_DEPTH_MAX);
	memset(want + JW_DEPTH_MAX, ']', JW_DEPTH_MAX);
	want[2 * JW_DEPTH_MAX] = '\0';
	T_OK(is(&w, want), "depth: %d levels written and closed",
	    JW_DEPTH_MAX);
	jw_free(&w);

	jw_init(&w);
	for (i = 0; i < JW_DEPTH_MAX; i++) {
		jw_obj_open(&w);
		jw_key(&w, "k");
	}
	jw_obj_open(&w);
	T_OK(w.failed, "depth: object %d fails", JW_DEPTH_MAX + 1);
	jw_free(&w);

	jw_init(&w);
	for (i = 0; i <= JW_DEPTH_MAX; i++)
		jw_arr_open(&w);
	T_OK(w.failed, "depth: array %d fails", JW_DEPTH_MAX + 1);
	for (i = 0; i <= JW_DEPTH_MAX; i++)
		jw_arr_close(&w);
	T_OK(w.failed, "depth: closing does not clear failed");
	jw_free(&w);
}

/* Each misuse must set failed and leave the buffer as it was. */
static void
test_misuse(void)
{
	static const char *const names[] = {
		"value where a key is due",
		"key in an array",
		"key at top level",
		"key after key",
		"obj_close on an array",
		"arr_close on an object",
		"arr_close after a dangling key",
		"obj_close after a dangling key",
		"obj_close at top level",
		"arr_close at top level",
		"second top-level value",
		"NULL key",
		"raw where a key is due",
		"container where a key is due",
	};
	struct jw	 w;
	size_t		 i, len;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		jw_init(&w);
		switch (i) {
		case 0:
		case 5:
		case 12:
		case 13:
			jw_obj_open(&w);
			break;
		case 1:
		case 4:
			jw_arr_open(&w);
			break;
		case 3:
		case 6:
		case 7:
			jw_obj_open(&w);
			jw_key(&w, "a");
			break;
		case 10:
			jw_int(&w, 1);
			break;
		case 11:
			jw_obj_open(&w);
			break;
		default:
			break;
		}
		T_OK(!w.failed, "misuse %s: set-up is fine", names[i]);
		len = w.len;
		switch (i) {
		case 0:
			jw_int(&w, 1);
			break;
		case 1:
		case 2:
		case 3:
			jw_key(&w, "b");
			break;
		case 4:
		case 7:
		case 8:
			jw_obj_close(&w);
			break;
		case 5:
		case 6:
		case 9:
			jw_arr_close(&w);
			break;
		case 10:
			jw_str(&w, "x");
			break;
		case 11:
			jw_key(&w, NULL);
			break;
		case 12:
			RAW(&w, "1");
			break;
		case 13:
			jw_arr_open(&w);
			break;
		}
		T_OK(w.failed && w.len == len && strlen(w.buf) == len,
		    "misuse %s: fails, buffer untouched", names[i]);
		/* Sticky: nothing is written afterwards. */
		jw_int(&w, 7);
		jw_reset(&w);
		T_OK(!w.failed && w.len == 0, "misuse %s: reset clears",
		    names[i]);
		jw_free(&w);
	}
}

static void
test_reset(void)
{
	struct jw	 w;
	char		*buf;
	size_t		 cap;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "a", "b");
	buf = w.buf;
	cap = w.cap;
	jw_reset(&w);
	T_OK(is(&w, "") && w.buf == buf && w.cap == cap && w.depth == 0,
	    "reset: empty, same allocation");
	jw_arr_open(&w);
	jw_int(&w, 1);
	jw_int(&w, 2);
	jw_arr_close(&w);
	T_OK(is(&w, "[1,2]"), "reset: fresh state, no stray comma: %s",
	    w.buf);
	jw_free(&w);
	T_OK(w.buf == NULL && w.failed, "free: buffer gone, writes refused");
	jw_int(&w, 1);
	T_OK(w.buf == NULL && w.len == 0, "free: a write after free is inert");
}

static void
test_growth(void)
{
	struct jw	 w;
	char		*s;
	size_t		 n = 1024 * 1024, i;
	bool		 good;

	if ((s = malloc(n)) == NULL)
		abort();
	memset(s, 'x', n);
	jw_init(&w);
	jw_arr_open(&w);
	jw_strn(&w, s, n);
	jw_arr_close(&w);
	good = !w.failed && w.len == n + 4 && w.buf[w.len] == '\0' &&
	    memcmp(w.buf, "[\"x", 3) == 0 &&
	    memcmp(w.buf + w.len - 3, "x\"]", 3) == 0 && w.cap > w.len;
	for (i = 2; good && i < n + 2; i++)
		good = w.buf[i] == 'x';
	T_OK(good, "growth: 1 MiB string (len %zu, cap %zu)", w.len, w.cap);
	jw_free(&w);

	/* Escapes make it 2 MiB: many doublings from 256 bytes. */
	memset(s, '\n', n);
	jw_init(&w);
	jw_strn(&w, s, n);
	good = !w.failed && w.len == 2 * n + 2 && strlen(w.buf) == w.len;
	for (i = 1; good && i < 2 * n + 1; i += 2)
		good = w.buf[i] == '\\' && w.buf[i + 1] == 'n';
	T_OK(good, "growth: 1 MiB of newlines escaped to 2 MiB");
	jw_free(&w);

	/* Many small writes, NUL-terminated after each. */
	jw_init(&w);
	jw_arr_open(&w);
	good = true;
	for (i = 0; i < 100000 && good; i++) {
		jw_int(&w, (long long)i);
		good = !w.failed && strlen(w.buf) == w.len;
	}
	jw_arr_close(&w);
	T_OK(good && w.len == 588891 && w.buf[w.len - 1] == ']',
	    "growth: 100000 integers (len %zu)", w.len);
	jw_free(&w);
	free(s);
}

/* jw_obj_reopen: more members for the object just written, else fail. */
static void
test_reopen(void)
{
	struct jw	 w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "result");
	jw_obj_open(&w);
	jw_kint(&w, "a", 1);
	jw_obj_close(&w);
	jw_obj_reopen(&w);
	jw_kstr(&w, "b", "x");
	jw_obj_close(&w);
	jw_obj_close(&w);
	T_OK(is(&w, "{\"result\":{\"a\":1,\"b\":\"x\"}}"),
	    "reopen: a member added: %s", w.buf);
	jw_free(&w);

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "result");
	RAW(&w, " { } ");
	jw_obj_reopen(&w);
	jw_kstr(&w, "b", "x");
	jw_obj_close(&w);
	jw_obj_close(&w);
	T_OK(is(&w, "{\"result\":{\"b\":\"x\"}}"),
	    "reopen: an empty raw object gets no comma: %s", w.buf);
	jw_free(&w);

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "result");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_obj_reopen(&w);
	T_OK(w.failed, "reopen: an array is no object");
	jw_free(&w);

	jw_init(&w);
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_obj_reopen(&w);
	T_OK(w.failed, "reopen: a top-level object is refused");
	jw_free(&w);

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "s", "}");
	jw_obj_reopen(&w);
	T_OK(w.failed, "reopen: a string ending in a brace is no object");
	jw_free(&w);
}

/*
 * jw_copy and jw_copy_str nest one writer's value in another without a
 * scan: the bytes must be what jw_raw and jw_strn of the same text give.
 */
static void
test_copy(void)
{
	static const char *texts[] = {
		"plain", "a\"b\\c", "line\nbreak\ttab", "\x01\x1f\x7f",
		"\xc2\x85 \xe2\x80\xa8 \xc3\xa9 \xf0\x9f\x98\x80", "bad \xff\xfe",
		"{\"k\": [1, \"x\"]}"
	};
	struct jw	 src, a, b;
	size_t		 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		jw_init(&src);
		jw_obj_open(&src);
		jw_kstr(&src, "s", texts[i]);
		jw_key(&src, "r");
		jw_raw(&src, "[1, \"q\\\"\"]", 10);
		jw_obj_close(&src);
		jw_init(&a);
		jw_init(&b);
		jw_arr_open(&a);
		jw_arr_open(&b);
		jw_copy(&a, &src);
		jw_raw(&b, src.buf, src.len);
		jw_copy_str(&a, &src);
		jw_strn(&b, src.buf, src.len);
		jw_arr_close(&a);
		jw_arr_close(&b);
		T_OK(!a.failed && !b.failed && a.len == b.len &&
		    memcmp(a.buf, b.buf, a.len) == 0 && strlen(a.buf) == a.len,
		    "copy %zu: same bytes as raw and strn: %s", i, a.buf);
		jw_free(&a);
		jw_free(&b);
		jw_free(&src);
	}
	jw_init(&src);
	jw_arr_open(&src);
	jw_init(&a);
	jw_copy(&a, &src);
	T_OK(a.failed, "copy: an unclosed value fails");
	jw_reset(&a);
	jw_copy_str(&a, &src);
	T_OK(a.failed, "copy_str: an unclosed value fails");
	jw_arr_close(&src);
	src.failed = true;
	jw_reset(&a);
	jw_copy(&a, &src);
	T_OK(a.failed, "copy: a failed writer's value fails");
	jw_reset(&a);
	jw_limit(&a, 2);
	src.failed = false;
	jw_copy_str(&a, &src);
	T_OK(a.failed && a.len == 0, "copy_str: the limit holds");
	jw_free(&a);
	jw_free(&src);
}

/*
 * A value taken back with jw_rewind leaves the writer as if it had never
 * been started: what follows is written as it would have been, wherever
 * the value stood and however far it got (a limit it broke included).
 */
static void
test_rewind(void)
{
	static const char *want[] = {
		"[1,true]", "{\"a\":1,\"b\":true}", "[[true]]", "[true]"
	};
	struct jw	 w;
	struct jw_mark	 m;
	size_t		 c, lim;
	bool		 ok;

	for (c = 0; c < 4; c++) {
		ok = true;
		for (lim = 0; lim < 40; lim++) {
			jw_init(&w);
			jw_limit(&w, lim == 0 ? 0 : strlen(want[c]) + lim / 4);
			if (c == 1)
				jw_obj_open(&w);
			else
				jw_arr_open(&w);
			if (c == 0)
				jw_int(&w, 1);
			if (c == 1)
				jw_kint(&w, "a", 1);
			if (c == 1)
				jw_key(&w, "b");
			if (c == 2)
				jw_arr_open(&w);
			/* Half a value, as deep as it goes, taken back. */
			jw_mark(&w, &m);
			jw_obj_open(&w);
			jw_kstr(&w, "type", "LineString");
			jw_key(&w, "coordinates");
			jw_arr_open(&w);
			jw_arr_open(&w);
			jw_int(&w, (long long)lim);
			jw_rewind(&w, &m);
			jw_bool(&w, true);
			if (c == 2)
				jw_arr_close(&w);
			if (c == 1)
				jw_obj_close(&w);
			else
				jw_arr_close(&w);
			if (!is(&w, want[c]))
				ok = false;
			jw_free(&w);
		}
		T_OK(ok, "rewind %zu: as if the value had never begun: %s", c,
		    want[c]);
	}
	jw_init(&w);
	w.failed = true;
	jw_mark(&w, &m);
	w.failed = false;
	jw_rewind(&w, &m);
	T_OK(w.failed, "rewind: a writer failed at the mark stays failed");
	jw_free(&w);
}

/*
 * Test input number i: n pieces (an empty one is a NUL byte), chosen at
 * random, or piece i / 5 repeated (i % 5 == 3), or n random bytes
 * (i % 5 == 4), as many as fit in size; returns the length.
 */
static size_t
ref_text(char *text, size_t size, const char *const *pieces,
    size_t npieces, size_t i, size_t n, unsigned int *seed)
{
	const char	*pc;
	size_t		 k, len = 0, pl;

	for (k = 0; k < n; k++) {
		*seed = *seed * 1103515245u + 12345u;
		if (i % 5 == 4) {
			text[len++] = (char)(*seed >> 16);
			continue;
		}
		pc = pieces[(i % 5 == 3) ? (i / 5) % npieces :
		    (*seed >> 16) % npieces];
		pl = pc[0] == '\0' ? 1 : strlen(pc);
		if (len + pl > size)
			break;
		memcpy(text + len, pc, pl);
		len += pl;
	}
	return len;
}

/* The escape \uXXXX of code point cp (below 0x10000) into out: 6 bytes. */
static size_t
ref_u(char *out, unsigned int cp)
{
	static const char	 hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'u';
	out[2] = hex[cp >> 12];
	out[3] = hex[(cp >> 8) & 0xf];
	out[4] = hex[(cp >> 4) & 0xf];
	out[5] = hex[cp & 0xf];
	return 6;
}

/*
 * jw_raw's rules one byte at a time: whitespace out of strings dropped;
 * in strings the byte after a backslash kept, control bytes, DEL, C1 and
 * U+2028/U+2029 escaped.  Returns the length written into out.
 */
static size_t
ref_raw(char *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, o = 0;
	unsigned int		 cp;
	bool			 instr = false, esc = false, escape;

	for (i = 0; i < len; i++) {
		escape = false;
		cp = p[i];
		if (!instr) {
			if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
			    p[i] == '\r')
				continue;
			instr = p[i] == '"';
		} else if (esc)
			esc = false;
		else if (p[i] == '\\')
			esc = true;
		else if (p[i] == '"')
			instr = false;
		else if (p[i] < 0x20 || p[i] == 0x7f)
			escape = true;
		else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] > 0 &&
		    p[i + 1] < 0xa0) {
			/* Any byte but NUL after 0xc2 (not just C1). */
			escape = true;
			cp = p[++i];
		} else if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			escape = true;
			cp = 0x2000u + (p[i + 2] & 0x3fu);
			i += 2;
		}
		if (escape)
			o += ref_u(out + o, cp);
		else
			out[o++] = (char)p[i];
	}
	return o;
}

/*
 * jw_raw stores bytes straight into room made for the rest of its value:
 * on many values of every kind of byte it must write what ref_raw writes,
 * fail on a value of nothing but whitespace, and under a limit fail
 * exactly when the output does not fit, however long the input was.
 */
static void
test_raw_many(void)
{
	static const char *pieces[] = {
		" ", "\t", "\n", "\r", "\"", "\\", "\\\"", "\\\\", "{", "}",
		"[", "]", ":", ",", "1", "-2.5e3", "true", "\"k\"", "abc",
		"\x01", "\x1f", "\x7f", "", "\xc2\x85", "\xc2\xa0", "\xc2",
		"\xe2\x80\xa8",
		"\xe2\x80\xa9", "\xe2\x80", "\xe2\x80\xa7", "\xc3\xa9",
		"\xf0\x9f\x98\x80", "\xff", "    ", "\\\x01", "\\\xc2\x85"
	};
	const size_t	 npieces = sizeof(pieces) / sizeof(pieces[0]);
	char		 text[96], want[96 * 6];
	struct jw	 w;
	unsigned int	 seed = 4242;
	size_t		 i, len, wlen, lim, wrong = 0, nlim = 0;

	jw_init(&w);
	for (i = 0; i < 60000; i++) {
		len = ref_text(text, sizeof(text), pieces, npieces, i, i % 19,
		    &seed);
		wlen = ref_raw(want, text, len);
		jw_reset(&w);
		jw_limit(&w, 0);
		jw_raw(&w, text, len);
		if (wlen == 0 ? !w.failed : (w.failed || w.len != wlen ||
		    memcmp(w.buf, want, wlen) != 0 || w.buf[w.len] != '\0'))
			wrong++;
		/* Limits around the output's length, and the input's. */
		for (lim = wlen > 2 ? wlen - 2 : 1; lim <= wlen + 1; lim++) {
			jw_reset(&w);
			jw_limit(&w, lim);
			jw_raw(&w, text, len);
			nlim++;
			if (w.failed != (wlen == 0 || wlen > lim) ||
			    (!w.failed && memcmp(w.buf, want, wlen) != 0))
				wrong++;
		}
		if (len > 1 && wlen > 0) {
			jw_reset(&w);
			jw_limit(&w, len - 1);
			jw_raw(&w, text, len);
			nlim++;
			if (w.failed != (wlen > len - 1))
				wrong++;
		}
	}
	T_OK(wrong == 0, "raw: as the reference on 60000 values, %zu of them "
	    "under a limit (%zu differ)", nlim, wrong);
	jw_free(&w);
}

/* jw_num writes what jw_raw writes of a number, and fails on nothing. */
static void
test_num(void)
{
	static const char *nums[] = {
		"0", "-0", "1", "-1", "12.5", "1e5", "1E+05", "-2.5e-10",
		"9223372036854775807", "-9223372036854775808",
		"0.000000001", "12345678901234567890.123456789", "38.7123457"
	};
	struct jw	 a, b;
	size_t		 i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		jw_init(&a);
		jw_init(&b);
		jw_arr_open(&a);
		jw_arr_open(&b);
		jw_num(&a, nums[i], strlen(nums[i]));
		jw_raw(&b, nums[i], strlen(nums[i]));
		jw_num(&a, nums[i], strlen(nums[i]));
		jw_raw(&b, nums[i], strlen(nums[i]));
		jw_arr_close(&a);
		jw_arr_close(&b);
		T_OK(!a.failed && is(&a, b.buf), "num %s: as raw: %s", nums[i],
		    a.buf);
		jw_free(&a);
		jw_free(&b);
	}
	jw_init(&a);
	jw_num(&a, "", 0);
	T_OK(a.failed, "num: nothing fails");
	jw_reset(&a);
	jw_limit(&a, 3);
	jw_num(&a, "1234", 4);
	T_OK(a.failed, "num: the limit holds");
	jw_reset(&a);
	jw_obj_open(&a);
	jw_num(&a, "1", 1);
	T_OK(a.failed, "num: a value where a key is due fails");
	jw_free(&a);
}

/*
 * The escaping as the rules state it, one byte at a time, with the quotes:
 * the reference the writer's faster loop must match.  Returns the length
 * written into out (6 bytes per input byte at most, plus 3).
 */
static size_t
ref_strn(char *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, o = 0, n;
	unsigned int		 cp;

	out[o++] = '"';
	while (i < len) {
		/* None: the bytes go as they are. */
		cp = 0x110000;
		n = 1;
		if (p[i] == '"' || p[i] == '\\') {
			out[o++] = '\\';
			out[o++] = (char)p[i++];
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			const char *short_esc = strchr("\bb\ff\nn\rr\tt",
			    p[i]);
			if (p[i] != 0 && short_esc != NULL) {
				out[o++] = '\\';
				out[o++] = short_esc[1];
				i++;
				continue;
			}
			cp = p[i];
		} else if (p[i] >= 0x80) {
			n = p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;
			if (n > len - i || !json_utf8_valid(s + i, n)) {
				memcpy(out + o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
				continue;
			}
			if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
				cp = p[i + 1];
			else if (n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
			    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
				cp = 0x2000u + (p[i + 2] & 0x3fu);
		}
		if (cp == 0x110000) {
			memcpy(out + o, s + i, n);
			o += n;
		} else
			o += ref_u(out + o, cp);
		i += n;
	}
	out[o++] = '"';
	return o;
}

/*
 * jw_strn stores plain bytes straight into its buffer and makes room again
 * for each escape: on many strings of every kind of byte it must write
 * what ref_strn writes, and under a limit fail exactly when that output
 * does not fit.
 */
static void
test_escape_many(void)
{
	static const char *pieces[] = {
		"a", "Z", " ", "\"", "\\", "/", "\b", "\t", "\n", "\x01",
		"\x1f", "\x7f", "", "\xc3\xa9", "\xc2\x85", "\xc2\xa0",
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xa7", "\xe6\x9d\x8e",
		"\xf0\x9f\x98\x80", "\xff", "\x80", "\xc3", "\xe2\x80",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\x80", "plain text",
		"\"\"\"\"", "\\\\\\\\", "\x01\x02\x03\x04", "\xdf\xbf", "\xdf",
		"\xc3\xc3", "\xc1\xbf", "\xe0\xa0\x80", "\xc3\x7f", "12345678",
		"\xc2\x9f\xc2\xa0"
	};
	const size_t	 npieces = sizeof(pieces) / sizeof(pieces[0]);
	char		 text[96], want[96 * 6 + 3];
	struct jw	 w;
	unsigned int	 seed = 777;
	size_t		 i, len, wlen, wrong = 0, lim, nlim = 0;

	jw_init(&w);
	for (i = 0; i < 60000; i++) {
		len = ref_text(text, sizeof(text), pieces, npieces, i, i % 17,
		    &seed);
		wlen = ref_strn(want, text, len);
		jw_reset(&w);
		jw_limit(&w, 0);
		jw_strn(&w, text, len);
		if (w.failed || w.len != wlen ||
		    memcmp(w.buf, want, wlen) != 0 || w.buf[w.len] != '\0')
			wrong++;
		/* Limits just under, at and over the output's length. */
		for (lim = wlen > 3 ? wlen - 3 : 1; lim <= wlen + 1; lim++) {
			jw_reset(&w);
			jw_limit(&w, lim);
			jw_strn(&w, text, len);
			nlim++;
			if (w.failed != (wlen > lim) || (!w.failed &&
			    memcmp(w.buf, want, wlen) != 0))
				wrong++;
		}
	}
	T_OK(wrong == 0, "escape: as the reference on 60000 strings, %zu "
	    "of them under a limit (%zu differ)", nlim, wrong);
	jw_free(&w);

	/* Keys go through the same escaping. */
	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "k\xe2\x80\xa8\"\x01\xff\xc3\xa9");
	jw_null(&w);
	jw_obj_close(&w);
	T_OK(is(&w, "{\"k\\u2028\\\"\\u0001\xef\xbf\xbd\xc3\xa9\":null}"),
	    "escape: a key of every kind: %s", w.buf);
	jw_free(&w);
}

/*
 * jw_copy_str reads sixteen or eight bytes at a time: on many writer
 * outputs, short and long, of every length around the word sizes, with
 * quotes and backslashes at every offset, sparse and in runs (a whole
 * block of them), it must write exactly what jw_strn writes.
 */
static void
test_copy_many(void)
{
	static const char *pieces[] = {
		"\"", "\\", "a", "é", "\xe2\x80\xa8", "\x01", "\n", "\xff",
		"\"\"", "\\\\", "\\\"", "abcdefgh", "\xf0\x9f\x98\x80", "\x7f",
		" ", "abcdefghijklmnopq", "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""
	};
	const size_t	 npieces = sizeof(pieces) / sizeof(pieces[0]);
	char		 text[320];
	struct jw	 src, a, b;
	unsigned int	 seed = 12345;
	size_t		 len, bad = 0, tried = 0, i, lim, nlim = 0;

	jw_init(&src);
	jw_init(&a);
	jw_init(&b);
	for (i = 0; i < 40000; i++) {
		/* Up to 12 pieces, or (one in eight) up to 80. */
		len = ref_text(text, sizeof(text), pieces, npieces, i,
		    i % 8 == 7 ? i % 81 : i % 13, &seed);
		jw_reset(&src);
		if (i % 3 == 0)
			jw_strn(&src, text, len);
		else {
			jw_arr_open(&src);
			jw_strn(&src, text, len);
			jw_int(&src, (long long)i);
			jw_arr_close(&src);
		}
		jw_reset(&a);
		jw_reset(&b);
		jw_limit(&a, 0);
		jw_copy_str(&a, &src);
		jw_strn(&b, src.buf, src.len);
		tried++;
		if (a.failed || b.failed || a.len != b.len ||
		    memcmp(a.buf, b.buf, a.len) != 0 || strlen(a.buf) != a.len)
			bad++;
		/* Under limits around its length: fails exactly when over. */
		for (lim = b.len > 4 ? b.len - 4 : 1; lim <= b.len + 4; lim++) {
			jw_reset(&a);
			jw_limit(&a, lim);
			jw_copy_str(&a, &src);
			nlim++;
			if (a.failed != (b.len > lim) || (!a.failed &&
			    memcmp(a.buf, b.buf, b.len) != 0))
				bad++;
		}
	}
	T_OK(bad == 0, "copy_str: as jw_strn on %zu writer outputs, %zu "
	    "under a limit (%zu differ)", tried, nlim, bad);
	jw_free(&src);
	jw_free(&a);
	jw_free(&b);
}

/* The output of w with its holes filled, as one string (caller frees). */
static char *
flat(const struct jw *w)
{
	struct iovec	 iov[JW_IOV_MAX];
	char		*buf, *o;
	int		 i, n;

	if ((n = jw_iov(w, iov, JW_IOV_MAX)) == -1 ||
	    (buf = malloc(jw_size(w) + 1)) == NULL)
		return NULL;
	for (o = buf, i = 0; i < n; i++) {
		memcpy(o, iov[i].iov_base, iov[i].iov_len);
		o += iov[i].iov_len;
	}
	*o = '\0';
	return (size_t)(o - buf) == jw_size(w) ? buf : NULL;
}

/*
 * A value aside (rows escaped as they are added, a row taken back on the
 * way) put in an object by reference, and that object copied into a
 * reply as a string and as JSON, goes out as the same bytes as the
 * copying path; each misuse fails.
 */
static void
test_aside(void)
{
	static const char *cells[] = {
		"plain", "a\"b\\c", "line\nbreak", "\xc3\xa9 \xe2\x80\xa8",
		"bad \xff", "{\"k\": [1, \"x\"]}"
	};
	struct jw_aside	 rows;
	struct jw_mark	 m;
	struct jw	 out, ref, w, v;
	struct iovec	 iov[JW_IOV_MAX];
	char		*got;
	size_t		 i, c;

	jw_aside_init(&rows);
	jw_arr_open(&rows.json);
	for (i = 0; i < 40; i++) {
		jw_mark(&rows.json, &m);
		jw_arr_open(&rows.json);
		for (c = 0; c < sizeof(cells) / sizeof(cells[0]); c++)
			jw_str(&rows.json, cells[(i + c) % 6]);
		jw_int(&rows.json, (long long)i);
		jw_arr_close(&rows.json);
		if (i % 7 == 3)
			jw_rewind(&rows.json, &m);	/* taken back */
		else
			jw_aside_sync(&rows);
	}
	jw_arr_close(&rows.json);
	jw_init(&out);
	jw_obj_open(&out);
	jw_kstr(&out, "a", "x\"y");
	jw_key(&out, "rows");
	jw_put_aside(&out, &rows);
	T_OK(out.failed, "put_aside: a value not synced to its end fails");
	jw_aside_sync(&rows);
	jw_reset(&out);
	jw_obj_open(&out);
	jw_kstr(&out, "a", "x\"y");
	jw_key(&out, "rows");
	jw_put_aside(&out, &rows);
	jw_kint(&out, "n", 34);
	jw_obj_close(&out);
	jw_init(&ref);
	jw_obj_open(&ref);
	jw_kstr(&ref, "a", "x\"y");
	jw_key(&ref, "rows");
	jw_copy(&ref, &rows.json);
	jw_kint(&ref, "n", 34);
	jw_obj_close(&ref);
	T_OK(!out.failed && out.nholes == 1 && jw_size(&out) == ref.len &&
	    out.len + rows.json.len == ref.len, "aside: one hole, the "
	    "output's size counts it");

	/* A reply: the object as a string, then as JSON, then reopened. */
	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "result");
	jw_obj_open(&w);
	jw_key(&w, "text");
	jw_copy_str(&w, &out);
	jw_key(&w, "json");
	jw_copy(&w, &out);
	jw_obj_close(&w);
	jw_obj_reopen(&w);
	jw_kbool(&w, "end", true);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_init(&v);
	jw_obj_open(&v);
	jw_key(&v, "result");
	jw_obj_open(&v);
	jw_key(&v, "text");
	jw_strn(&v, ref.buf, ref.len);
	jw_key(&v, "json");
	jw_copy(&v, &ref);
	jw_kbool(&v, "end", true);
	jw_obj_close(&v);
	jw_obj_close(&v);
	got = flat(&w);
	T_OK(!w.failed && w.nholes == 2 && got != NULL && v.len ==
	    jw_size(&w) && strcmp(got, v.buf) == 0, "aside: a reply with "
	    "the value as string and JSON goes out as the copied one: %s",
	    got != NULL ? got : "(none)");
	free(got);
	T_OK(jw_iov(&w, iov, 4) == -1 && jw_iov(&w, iov, 5) == 5,
	    "iov: too few pieces is an error, not a short write");

	/* Misuse. */
	jw_reset(&v);
	jw_arr_open(&v);
	jw_copy(&v, &out);
	jw_copy(&v, &out);
	jw_copy(&v, &out);
	T_OK(v.failed, "a third hole fails (JW_HOLES_MAX)");
	jw_reset(&v);
	jw_copy_str(&v, &w);
	T_OK(v.failed, "a string form escaped again fails");
	jw_reset(&v);
	jw_arr_open(&v);
	jw_mark(&v, &m);
	jw_copy(&v, &out);
	jw_rewind(&v, &m);
	jw_int(&v, 1);
	jw_arr_close(&v);
	T_OK(is(&v, "[1]") && v.nholes == 0 && jw_size(&v) == 3,
	    "rewind takes a hole back with its value");
	rows.json.len = rows.synced - 1;	/* taken back after its sync */
	jw_aside_sync(&rows);
	T_OK(rows.str.failed, "sync after a rewind below what was escaped "
	    "fails");
	jw_free(&v);
	jw_free(&w);
	jw_free(&ref);
	jw_free(&out);
	jw_aside_free(&rows);
}

/*
 * Random rows (strings made by ref_text, numbers, nested arrays), some
 * taken back before their sync, kept aside and put in a reply as string
 * and JSON: always the bytes of the copying path.
 */
static void
test_aside_many(void)
{
	static const char *pieces[] = {
		"\"", "\\", "a", "\xc3\xa9", "\xe2\x80\xa8", "\x01", "\n",
		"\xff", "\\\"", "abcdefgh", "\xf0\x9f\x98\x80", " "
	};
	const size_t	 npieces = sizeof(pieces) / sizeof(pieces[0]);
	struct jw_aside	 rows;
	struct jw_mark	 m;
	struct jw	 out, ref, w, v;
	char		 text[48], *got;
	unsigned int	 seed = 777;
	size_t		 len, n, c, r, t = 0, bad = 0, tried = 0;

	jw_aside_init(&rows);
	jw_init(&out);
	jw_init(&ref);
	jw_init(&w);
	jw_init(&v);
	for (n = 0; n < 300; n++) {
		jw_aside_free(&rows);
		jw_aside_init(&rows);
		jw_arr_open(&rows.json);
		for (r = 0; r < n % 17; r++) {
			jw_mark(&rows.json, &m);
			jw_arr_open(&rows.json);
			for (c = 0; c < 4; c++) {
				len = ref_text(text, sizeof(text), pieces,
				    npieces, t++, (r + c + n) % 9, &seed);
				if (c == 3) {
					jw_arr_open(&rows.json);
					jw_int(&rows.json, (long long)r);
					jw_strn(&rows.json, text, len);
					jw_arr_close(&rows.json);
				} else
					jw_strn(&rows.json, text, len);
			}
			jw_arr_close(&rows.json);
			if ((seed >> 8) % 5 == 0)
				jw_rewind(&rows.json, &m);
			else
				jw_aside_sync(&rows);
		}
		jw_arr_close(&rows.json);
		jw_aside_sync(&rows);

		jw_reset(&out);
		jw_reset(&ref);
		jw_obj_open(&out);
		jw_obj_open(&ref);
		jw_key(&out, "rows");
		jw_key(&ref, "rows");
		jw_put_aside(&out, &rows);
		jw_copy(&ref, &rows.json);
		jw_kint(&out, "n", (long long)n);
		jw_kint(&ref, "n", (long long)n);
		jw_obj_close(&out);
		jw_obj_close(&ref);
		jw_reset(&w);
		jw_reset(&v);
		jw_arr_open(&w);
		jw_arr_open(&v);
		jw_copy_str(&w, &out);
		jw_strn(&v, ref.buf, ref.len);
		jw_copy(&w, &out);
		jw_copy(&v, &ref);
		jw_arr_close(&w);
		jw_arr_close(&v);
		got = flat(&w);
		tried++;
		if (w.failed || v.failed || got == NULL ||
		    jw_size(&w) != v.len || strcmp(got, v.buf) != 0)
			bad++;
		free(got);
	}
	T_OK(bad == 0, "aside: %zu random row sets with rows taken back go "
	    "out as the copying path writes them (%zu differ)", tried, bad);
	jw_free(&v);
	jw_free(&w);
	jw_free(&ref);
	jw_free(&out);
	jw_aside_free(&rows);
}

int
main(void)
{
	test_nested();
	test_escape();
	test_escape_many();
	test_raw();
	test_raw_many();
	test_num();
	test_rewind();
	test_limit();
	test_depth();
	test_misuse();
	test_reset();
	test_growth();
	test_reopen();
	test_copy();
	test_copy_many();
	test_aside();
	test_aside_many();
	return t_exit();
}
