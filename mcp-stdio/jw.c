/*
 * The JSON writer: compact JSON on one line into a growable buffer.
 *
 * The buffer is NUL-terminated after every write (len excludes the NUL)
 * so that callers may print it.  Misuse (a value where a key is due, a key
 * where a value is due, closing the wrong container, a second top-level
 * value, nesting deeper than JW_DEPTH_MAX) and allocation failure set the
 * sticky flag failed: later calls do nothing, and the caller checks the
 * flag once at the end.
 *
 * struct jw records, per level, whether it is an object (in_obj), whether
 * a comma is needed (first) and whether an object expects a key (key_due);
 * an object whose key_due is false is between a key and its value.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "extern.h"

#define JW_INITIAL	256

/* Room for n more bytes plus the NUL; false (and failed) if impossible. */
static bool
jw_grow(struct jw *w, size_t n)
{
	size_t	 cap;
	char	*p;

	if (w->failed)
		return false;
	if (n > SIZE_MAX - 1 - w->len ||
	    (w->limit > 0 && w->len + n > w->limit)) {
		w->failed = true;
		return false;
	}
	if (w->len + n + 1 <= w->cap)
		return true;
	cap = w->cap > 0 ? w->cap : JW_INITIAL;
	while (cap < w->len + n + 1) {
		if (cap > SIZE_MAX / 2) {
			w->failed = true;
			return false;
		}
		cap *= 2;
	}
	if ((p = realloc(w->buf, cap)) == NULL) {
		w->failed = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

/*
 * Room for n more bytes plus the NUL, as jw_grow(): the common case (not
 * failed, no growth, within the limit) is decided here without a call.
 */
static inline bool
jw_room(struct jw *w, size_t n)
{
	if (!w->failed && n < w->cap - w->len &&
	    (w->limit == 0 || n <= w->limit - w->len))
		return true;
	return jw_grow(w, n);
}

static inline void
jw_put(struct jw *w, const char *s, size_t n)
{
	if (!jw_room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static inline void
jw_putc(struct jw *w, char c)
{
	if (!jw_room(w, 1))
		return;
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* True if the current level is an object between a key and its value. */
static bool
jw_value_due(const struct jw *w)
{
	return w->depth > 0 && w->in_obj[w->depth] && !w->key_due[w->depth];
}

/*
 * Get ready for a value: fail where a key is due or after a complete
 * top-level value, else write the comma it needs.  False if failed.
 */
static inline bool
jw_pre_value(struct jw *w)
{
	int	 d = w->depth;

	if (w->failed)
		return false;
	if (w->key_due[d] || (d == 0 && !w->first[0])) {
		w->failed = true;
		return false;
	}
	/*
	 * In an object (its key written: key_due is false) the key wrote the
	 * comma, and the value ends a member.
	 */
	if (d > 0 && w->in_obj[d])
		w->key_due[d] = true;
	else if (!w->first[d])
		jw_putc(w, ',');
	w->first[d] = false;
	return !w->failed;
}

/* Initialise w with an empty buffer; jw_free() releases it. */
void
jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
	if ((w->buf = malloc(JW_INITIAL)) == NULL) {
		w->failed = true;
		return;
	}
	w->cap = JW_INITIAL;
	w->buf[0] = '\0';
}

/* Release w's buffer; writes do nothing until jw_init() or jw_reset(). */
void
jw_free(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
	/* Writing after the free is a bug: do nothing rather than leak. */
	w->failed = true;
}

/*
 * Fail (sticky, as ever) as soon as the text would exceed max bytes; 0 is
 * no limit.  Nothing larger than max is ever written, let alone held.
 */
void
jw_limit(struct jw *w, size_t max)
{
	w->limit = max;
	if (max > 0 && w->len > max)
		w->failed = true;
}

/* Empty w for reuse, clearing failed but keeping allocation and limit. */
void
jw_reset(struct jw *w)
{
	w->len = 0;
	if (w->buf != NULL)
		w->buf[0] = '\0';
	w->depth = 0;
	w->failed = false;
	w->nholes = 0;
	memset(w->first, 0, sizeof(w->first));
	memset(w->key_due, 0, sizeof(w->key_due));
	memset(w->in_obj, 0, sizeof(w->in_obj));
	w->first[0] = true;
}

static void
jw_open(struct jw *w, char c)
{
	if (w->depth == JW_DEPTH_MAX) {
		w->failed = true;
		return;
	}
	if (!jw_pre_value(w))
		return;
	jw_putc(w, c);
	w->depth++;
	w->first[w->depth] = true;
	w->in_obj[w->depth] = c == '{';
	w->key_due[w->depth] = c == '{';
}

/* Open an object as the next value. */
void
jw_obj_open(struct jw *w)
{
	jw_open(w, '{');
}

/* Open an array as the next value. */
void
jw_arr_open(struct jw *w)
{
	jw_open(w, '[');
}

/* Close the current object; fails on an array or after a dangling key. */
void
jw_obj_close(struct jw *w)
{
	if (w->failed)
		return;
	/* Only an object waits for a key; a dangling key fails too. */
	if (w->depth == 0 || !w->key_due[w->depth]) {
		w->failed = true;
		return;
	}
	w->depth--;
	jw_putc(w, '}');
}

/*
 * Reopen the object just written as a member's value (its '}' the last
 * byte), so that more members can follow; close it again with
 * jw_obj_close().  Fails on anything else.
 */
void
jw_obj_reopen(struct jw *w)
{
	if (w->failed)
		return;
	if (w->len < 2 || w->buf[w->len - 1] != '}' ||
	    (w->nholes > 0 && w->holes[w->nholes - 1].at == w->len) ||
	    w->depth == JW_DEPTH_MAX || w->key_due[w->depth] == false ||
	    !w->in_obj[w->depth]) {
		w->failed = true;
		return;
	}
	w->len--;
	w->depth++;
	w->in_obj[w->depth] = true;
	w->key_due[w->depth] = true;
	w->first[w->depth] = w->buf[w->len - 1] == '{';
}

/* Close the current array; fails on an object. */
void
jw_arr_close(struct jw *w)
{
	if (w->failed)
		return;
	if (w->depth == 0 || w->key_due[w->depth] || jw_value_due(w)) {
		w->failed = true;
		return;
	}
	w->depth--;
	jw_putc(w, ']');
}

/* Append the escape \uXXXX of code point cp (at most U+FFFF). */
static void
jw_put_u(struct jw *w, unsigned int cp)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 e[6];

	e[0] = '\\';
	e[1] = 'u';
	e[2] = hex[(cp >> 12) & 0xf];
	e[3] = hex[(cp >> 8) & 0xf];
	e[4] = hex[(cp >> 4) & 0xf];
	e[5] = hex[cp & 0xf];
	jw_put(w, e, 6);
}

/*
 * The code point of a valid n-byte UTF-8 sequence at p if it must not
 * travel raw: a C1 control (U+0080 to U+009F) or a line or paragraph
 * separator (U+2028, U+2029), which some readers take for line ends.
 * 0 for every other sequence.
 */
static unsigned int
jw_unsafe_cp(const unsigned char *p, size_t n)
{
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return p[1];
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9))
		return 0x2000u | (p[2] & 0x3fu);
	return 0;
}

/* Bytes that go into a JSON string as they are: printable ASCII but " and \\. */
#define JW_PLAIN16(a)	a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a
static const bool jw_plain[256] = {
	JW_PLAIN16(0), JW_PLAIN16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,		/* " */
	JW_PLAIN16(1), JW_PLAIN16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,		/* \\ */
	JW_PLAIN16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,		/* DEL */
	/* 0x80 to 0xff: zero, UTF-8 is checked */
};

/*
 * Eight bytes at a time (SWAR): jw_quote() and jw_copy_str() read their
 * text as 64-bit words and test all eight bytes at once.  JW_BYTES(c) is
 * c in every byte of a word.
 */
#define JW_BYTES(c)	(0x0101010101010101ULL * (unsigned char)(c))

/*
 * 0x80 in each byte of v that is zero, nothing in the others.  Exact for
 * every byte: unlike the usual (v - 1) & ~v trick, no borrow crosses from
 * one byte into the next.
 */
static uint64_t
jw_zero_bytes(uint64_t v)
{
	return ~(((v & JW_BYTES(0x7f)) + JW_BYTES(0x7f)) | v | JW_BYTES(0x7f));
}

/* 0x80 in each byte of v that is '"' or '\\'. */
static uint64_t
jw_quoted8(uint64_t v)
{
	return jw_zero_bytes(v ^ JW_BYTES('"')) |
	    jw_zero_bytes(v ^ JW_BYTES('\\'));
}

/*
 * 0x80 in each byte of v that jw_plain does not hold: a control byte (its
 * low seven bits under 0x20), DEL, '"', '\\' or a byte from 0x80 up.
 * Each test is exact per byte: no sum carries into the next byte.
 */
static uint64_t
jw_unplain8(uint64_t v)
{
	uint64_t	 low7 = v & JW_BYTES(0x7f);

	return (v & JW_BYTES(0x80)) |
	    (~(low7 + JW_BYTES(0x60)) & JW_BYTES(0x80)) |
	    ((low7 + JW_BYTES(0x01)) & JW_BYTES(0x80)) |
	    jw_quoted8(v);
}

/* The index in memory order of the first byte m marks (m is not 0). */
static size_t
jw_first8(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) / 8;
#else
	return (size_t)__builtin_ctzll(m) / 8;
#endif
}

/*
 * Append s as a JSON string, quotes included; invalid UTF-8 bytes become
 * U+FFFD.  Every control character (C0, DEL, C1) and U+2028/U+2029 is
 * escaped.
 *
 * No byte of s is written as less than one byte, so room for the quotes
 * and the rest of s is made once and bytes that go out as they are are
 * stored directly; an escape, longer than what it stands for, makes room
 * for itself and the rest again.  The limit fails the writer exactly when
 * the string does not fit, as before (only sooner: a failed writer's
 * bytes are no one's business).
 */
static void
jw_quote(struct jw *w, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k, elen;
	uint64_t		 v, m;
	unsigned int		 cp;
	char			*o, e[6];

	if (len > SIZE_MAX - 2 || !jw_room(w, len + 2))
		return;
	o = w->buf + w->len;
	*o++ = '"';
	for (;;) {
		/*
		 * Plain bytes eight at a time, a word stored whole (the room
		 * holds the rest of s) and o moved past its plain bytes; then
		 * one at a time.
		 */
		while (len - i >= 8) {
			memcpy(&v, s + i, sizeof(v));
			memcpy(o, &v, sizeof(v));
			if ((m = jw_unplain8(v)) != 0) {
				k = jw_first8(m);
				i += k;
				o += k;
				break;
			}
			i += 8;
			o += 8;
		}
		while (i < len && jw_plain[p[i]])
			*o++ = (char)p[i++];
		if (i == len)
			break;
		/* An escape e, elen bytes, for the k bytes at p + i. */
		k = 1;
		elen = 0;
		cp = p[i];
		/* Two bytes from U+00C0 on: valid, and no C1 control. */
		if (p[i] >= 0xc3 && p[i] <= 0xdf && i + 1 < len &&
		    (p[i + 1] & 0xc0) == 0x80) {
			o[0] = (char)p[i];
			o[1] = (char)p[i + 1];
			o += 2;
			i += 2;
			continue;
		}
		if (p[i] >= 0x80) {
			n = p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;
			if (n <= len - i && json_utf8_valid(s + i, n)) {
				if ((cp = jw_unsafe_cp(p + i, n)) == 0) {
					memcpy(o, s + i, n);
					o += n;
					i += n;
					continue;
				}
				e[1] = 'u';
				k = n;
			} else {
				memcpy(e, "\xef\xbf\xbd", 3);
				elen = 3;
			}
		} else if (p[i] == '"' || p[i] == '\\')
			e[1] = (char)p[i];
		else if (p[i] == '\b')
			e[1] = 'b';
		else if (p[i] == '\f')
			e[1] = 'f';
		else if (p[i] == '\n')
			e[1] = 'n';
		else if (p[i] == '\r')
			e[1] = 'r';
		else if (p[i] == '\t')
			e[1] = 't';
		else
			e[1] = 'u';
		if (elen == 0) {
			e[0] = '\\';
			elen = 2;
			if (e[1] == 'u') {
				e[2] = hex[(cp >> 12) & 0xf];
				e[3] = hex[(cp >> 8) & 0xf];
				e[4] = hex[(cp >> 4) & 0xf];
				e[5] = hex[cp & 0xf];
				elen = 6;
			}
		}
		/* The escape, the rest and the closing quote. */
		w->len = (size_t)(o - w->buf);
		if (!jw_room(w, elen + (len - i - k) + 1))
			return;
		o = w->buf + w->len;
		memcpy(o, e, elen);
		o += elen;
		i += k;
	}
	*o++ = '"';
	*o = '\0';
	w->len = (size_t)(o - w->buf);
}

/* Write key k (escaped) of the current object; its value comes next. */
void
jw_key(struct jw *w, const char *k)
{
	if (w->failed)
		return;
	if (k == NULL || w->depth == 0 || !w->key_due[w->depth]) {
		w->failed = true;
		return;
	}
	if (!w->first[w->depth])
		jw_putc(w, ',');
	w->first[w->depth] = false;
	w->key_due[w->depth] = false;
	jw_quote(w, k, strlen(k));
	jw_putc(w, ':');
}

/* Write the C string s as a JSON string; NULL is written as null. */
void
jw_str(struct jw *w, const char *s)
{
	if (s == NULL)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

/* Write len bytes as a JSON string; NUL bytes become \u0000. */
void
jw_strn(struct jw *w, const char *s, size_t len)
{
	if (jw_pre_value(w))
		jw_quote(w, s, len);
}

/* Write an integer. */
void
jw_int(struct jw *w, long long v)
{
	char	 b[32];
	int	 n;

	if (!jw_pre_value(w))
		return;
	n = snprintf(b, sizeof(b), "%lld", v);
	jw_put(w, b, (size_t)n);
}

/* Write true or false. */
void
jw_bool(struct jw *w, bool v)
{
	if (!jw_pre_value(w))
		return;
	if (v)
		jw_put(w, "true", 4);
	else
		jw_put(w, "false", 5);
}

/* Write null. */
void
jw_null(struct jw *w)
{
	if (!jw_pre_value(w))
		return;
	jw_put(w, "null", 4);
}

/*
 * Write len bytes the caller vouches are one JSON number (its grammar
 * checked, so no whitespace and nothing to escape) as they are; nothing
 * fails.  What jw_raw() would write, without its scan.
 */
void
jw_num(struct jw *w, const char *s, size_t len)
{
	if (!jw_pre_value(w))
		return;
	if (len == 0) {
		w->failed = true;
		return;
	}
	jw_put(w, s, len);
}

/*
 * The bytes jw_raw_max() must look at: whitespace, '"', '\\', the brackets
 * and braces it counts, control bytes, DEL, and 0xc2 and 0xe2, which
 * begin the sequences it escapes.  Every other byte is copied as it is,
 * in a string or out of one.
 */
#define JW_RAW16(a)	a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a
static const bool jw_raw_look[256] = {
	JW_RAW16(1), JW_RAW16(1),
	1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* ' ', " */
	JW_RAW16(0), JW_RAW16(0),
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0,		/* [ \\ ] */
	JW_RAW16(0),
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1,		/* { } DEL */
	JW_RAW16(0), JW_RAW16(0), JW_RAW16(0), JW_RAW16(0),
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xc2 */
	JW_RAW16(0),
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xe2 */
	JW_RAW16(0)
};

/*
 * Room for the n bytes left of a raw value, or for as many as the limit
 * allows (with its whitespace dropped, the value may still fit); where
 * that room ends, NULL if w failed.  A byte to be stored there is beyond
 * the limit.
 */
static char *
jw_raw_room(struct jw *w, size_t n)
{
	if (!w->failed && w->limit > 0 && n > w->limit - w->len)
		n = w->limit - w->len;
	if (!jw_room(w, n))
		return NULL;
	return w->buf + w->len + n;
}

/*
 * Write len bytes the caller vouches are one JSON value.  Whitespace
 * outside strings is dropped; inside strings a raw control byte (which
 * valid JSON cannot hold), a C1 control or U+2028/U+2029 is escaped, so
 * the output stays on one line whatever the bytes.  The byte after a
 * backslash in a string is copied as it is.  Nothing left after dropping
 * whitespace fails.  Returns -1, with w as it was, if arrays and objects
 * nest deeper than max; else 0 (w may have failed).
 *
 * No byte is written longer but for an escape, so bytes are stored
 * straight into room made for the rest of s; an escape makes room again.
 */
int
jw_raw_max(struct jw *w, const char *s, size_t len, int max)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct jw_mark		 mark;
	size_t			 i, start, k;
	unsigned int		 cp;
	unsigned char		 c;
	char			*o, *end;
	int			 depth = 0;
	bool			 instr = false;

	jw_mark(w, &mark);
	if (!jw_pre_value(w) || (end = jw_raw_room(w, len)) == NULL)
		return 0;
	start = w->len;
	o = w->buf + w->len;
	for (i = 0; i < len; i++) {
		/* A run of bytes copied as they are. */
		while (!jw_raw_look[p[i]]) {
			if (o == end)
				goto full;
			*o++ = (char)p[i];
			if (++i == len)
				goto done;
		}
		c = p[i];
		if (!instr) {
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				continue;
			if (c == '"')
				instr = true;
			else if (c == '[' || c == '{') {
				if (depth++ >= max) {
					jw_rewind(w, &mark);
					return -1;
				}
			} else if (c == ']' || c == '}')
				depth--;
			goto store;
		}
		if (c == '"')
			instr = false;
		else if (c == '\\' && i + 1 < len) {
			if (o == end)
				goto full;
			*o++ = (char)c;
			c = p[++i];
		} else if (c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xe2) {
			/* The code point to escape and its length, or none. */
			cp = c;
			k = 1;
			if (c == 0xc2 || c == 0xe2) {
				k = c == 0xc2 ? 2 : 3;
				if (k > len - i ||
				    (cp = jw_unsafe_cp(p + i, k)) == 0)
					goto store;
			}
			w->len = (size_t)(o - w->buf);
			jw_put_u(w, cp);
			i += k - 1;
			if ((end = jw_raw_room(w, len - i - 1)) == NULL)
				return 0;
			o = w->buf + w->len;
			continue;
		}
store:
		if (o == end)
			goto full;
		*o++ = (char)c;
	}
done:
	w->len = (size_t)(o - w->buf);
	*o = '\0';
	if (w->len == start)
		w->failed = true;
	return 0;
full:
	/* The value does not fit under the limit. */
	w->len = (size_t)(o - w->buf);
	*o = '\0';
	w->failed = true;
	return 0;
}

/* jw_raw_max() at any depth. */
void
jw_raw(struct jw *w, const char *s, size_t len)
{
	(void)jw_raw_max(w, s, len, INT_MAX);
}

/* True if w holds one whole value: not failed, every bracket closed. */
static bool
jw_complete(const struct jw *w)
{
	return !w->failed && w->depth == 0 && w->len > 0;
}

/* Note a hole at offset at of w; fail if w has no room for one more. */
static void
jw_add_hole(struct jw *w, size_t at, const struct jw_aside *a, bool as_str)
{
	if (w->failed)
		return;
	if (w->nholes == JW_HOLES_MAX) {
		w->failed = true;
		return;
	}
	w->holes[w->nholes].at = at;
	w->holes[w->nholes].aside = a;
	w->holes[w->nholes].as_str = as_str;
	w->nholes++;
}

/*
 * Write the complete value src built.  A writer only ever produces compact
 * JSON with every string escaped, so there is nothing to scan: this is
 * the cheap way to nest one writer's result in another (rows, replies).
 */
void
jw_copy(struct jw *w, const struct jw *src)
{
	size_t	 base;
	int	 i;

	if (!jw_complete(src)) {
		w->failed = true;
		return;
	}
	if (!jw_pre_value(w))
		return;
	base = w->len;
	jw_put(w, src->buf, src->len);
	for (i = 0; i < src->nholes; i++)
		jw_add_hole(w, base + src->holes[i].at, src->holes[i].aside,
		    src->holes[i].as_str);
}

/* The bytes a writer's output escapes when it becomes a string. */
static const unsigned char jw_quoted[256] = { ['"'] = 1, ['\\'] = 1 };

#ifdef __SSE2__
/*
 * Escape the sixteen bytes at p to o: a backslash before each '"' and
 * '\\' (what jw_quoted holds); the number of backslashes.  Each is
 * followed by sixteen bytes loaded from its quote on, so the caller must
 * have sixteen bytes more to read at p and room for thirty-two plus the
 * backslashes at o.  x86-64 always has SSE2.
 */
static unsigned int
jw_escape16(const char *p, char *o)
{
	__m128i		 v;
	unsigned int	 m, k, at = 0, n = 0;

	v = _mm_loadu_si128((const void *)p);
	_mm_storeu_si128((void *)o, v);
	m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
	for (; m != 0; m &= m - 1, n++) {
		/* o holds byte at; quote k goes after its backslash. */
		k = (unsigned int)__builtin_ctz(m);
		o += k - at;
		*o++ = '\\';
		v = _mm_loadu_si128((const void *)(p + k));
		_mm_storeu_si128((void *)o, v);
		at = k;
	}
	return n;
}
#endif

/*
 * Room for need more bytes, failing as jw_room() does if they do not fit,
 * and for up to more bytes beyond them as far as the limit allows; where
 * the room ends, NULL if w failed.
 */
static char *
jw_room_more(struct jw *w, size_t need, size_t more)
{
	size_t	 left;

	if (!w->failed && w->limit > 0) {
		left = w->limit - w->len;
		if (need + more > left)
			more = need < left ? left - need : 0;
	}
	if (!jw_room(w, need + more))
		return NULL;
	return w->buf + w->len + need + more;
}

/*
 * Append the len bytes at p, part of a writer's output, escaped for a
 * JSON string.  A writer's output holds no control byte, no invalid UTF-8
 * and no character that must be escaped except '"' and '\\' (its own
 * escapes are ASCII), so those two are all there is to escape: the bytes
 * jw_strn() would write, without the quotes.
 *
 * The bytes are read sixteen (SSE2) or eight at a time.  Room is made for
 * all of them and a backslash for one byte in four (as the limit allows);
 * spare counts the backslashes the room still holds beyond the rest of
 * the bytes.  A word can always be stored whole, and a block of sixteen
 * with all its backslashes while sixteen more bytes follow and spare
 * holds sixteen; when spare runs out, more room is made, failing only
 * when the output cannot fit.
 */
static void
jw_escape(struct jw *w, const char *p, size_t len)
{
	const char	*end = p + len;
	char		*o, *oend;
	uint64_t	 v, m;
	size_t		 k, spare;

	if ((oend = jw_room_more(w, len, len / 4)) == NULL)
		return;
	o = w->buf + w->len;
	spare = (size_t)(oend - o) - len;
	while (p < end) {
#ifdef __SSE2__
		if (end - p >= 32 && spare >= 16) {
			k = jw_escape16(p, o);
			p += 16;
			o += 16 + k;
			spare -= k;
			continue;
		}
#endif
		if (end - p >= 8) {
			/* A word; o moves past the bytes before a quote. */
			memcpy(&v, p, sizeof(v));
			memcpy(o, &v, sizeof(v));
			if ((m = jw_quoted8(v)) == 0) {
				p += 8;
				o += 8;
				continue;
			}
			k = jw_first8(m);
			p += k;
			o += k;
		} else if (!jw_quoted[(unsigned char)*p]) {
			*o++ = *p++;
			continue;
		}
		if (spare == 0) {
			/* The rest, and this backslash. */
			w->len = (size_t)(o - w->buf);
			if ((oend = jw_room_more(w, (size_t)(end - p) + 1,
			    (size_t)(end - p) / 4)) == NULL)
				return;
			o = w->buf + w->len;
			spare = (size_t)(oend - o) - (size_t)(end - p);
		}
		spare--;
		*o++ = '\\';
		*o++ = *p++;
	}
	*o = '\0';
	w->len = (size_t)(o - w->buf);
}

/*
 * Write the complete value src built as a JSON string, its holes as holes
 * of their string form: src's bytes between them escaped (jw_escape()).
 * A hole that already is a string form cannot be escaped again: w fails.
 */
void
jw_copy_str(struct jw *w, const struct jw *src)
{
	size_t	 from = 0;
	int	 i;

	if (!jw_complete(src)) {
		w->failed = true;
		return;
	}
	/* Fail at once if even the unescaped bytes and quotes cannot fit. */
	if (!jw_pre_value(w) || !jw_room(w, src->len + 2))
		return;
	jw_putc(w, '"');
	for (i = 0; i < src->nholes; i++) {
		jw_escape(w, src->buf + from, src->holes[i].at - from);
		if (src->holes[i].as_str)
			w->failed = true;
		jw_add_hole(w, w->len, src->holes[i].aside, true);
		from = src->holes[i].at;
	}
	jw_escape(w, src->buf + from, src->len - from);
	jw_putc(w, '"');
}

/* The writer whose bytes fill hole h: its value's JSON or string form. */
static const struct jw *
jw_hole_fill(const struct jw_hole *h)
{
	return h->as_str ? &h->aside->str : &h->aside->json;
}

size_t
jw_size(const struct jw *w)
{
	size_t	 n = w->len;
	int	 i;

	for (i = 0; i < w->nholes; i++)
		n += jw_hole_fill(&w->holes[i])->len;
	return n;
}

/* Add a piece to iov[*n] if max allows. */
static bool
jw_iov_add(struct iovec *iov, int max, int *n, char *p, size_t len)
{
	if (*n == max)
		return false;
	iov[*n].iov_base = p;
	iov[*n].iov_len = len;
	(*n)++;
	return true;
}

int
jw_iov(const struct jw *w, struct iovec *iov, int max)
{
	const struct jw	*fill;
	size_t		 from = 0, to;
	int		 i, n = 0;

	for (i = 0; i <= w->nholes; i++) {
		to = i < w->nholes ? w->holes[i].at : w->len;
		if (to > from && !jw_iov_add(iov, max, &n, w->buf + from,
		    to - from))
			return -1;
		if (i == w->nholes)
			break;
		fill = jw_hole_fill(&w->holes[i]);
		if (fill->len > 0 && !jw_iov_add(iov, max, &n, fill->buf,
		    fill->len))
			return -1;
		from = to;
	}
	return n;
}

void
jw_aside_init(struct jw_aside *a)
{
	jw_init(&a->json);
	jw_init(&a->str);
	a->synced = 0;
}

void
jw_aside_reset(struct jw_aside *a)
{
	jw_reset(&a->json);
	jw_reset(&a->str);
	jw_limit(&a->json, 0);
	jw_limit(&a->str, 0);
	a->synced = 0;
}

void
jw_aside_free(struct jw_aside *a)
{
	jw_free(&a->json);
	jw_free(&a->str);
	a->synced = 0;
}

void
jw_aside_sync(struct jw_aside *a)
{
	if (a->json.failed || a->json.nholes > 0 || a->json.len < a->synced)
		a->str.failed = true;
	if (a->str.failed)
		return;
	jw_escape(&a->str, a->json.buf + a->synced, a->json.len - a->synced);
	a->synced = a->json.len;
}

void
jw_put_aside(struct jw *w, const struct jw_aside *a)
{
	if (!jw_complete(&a->json) || a->str.failed ||
	    a->synced != a->json.len) {
		w->failed = true;
		return;
	}
	if (jw_pre_value(w))
		jw_add_hole(w, w->len, a, false);
}

/* Remember w's state before a value, for jw_rewind(). */
void
jw_mark(const struct jw *w, struct jw_mark *m)
{
	m->len = w->len;
	m->nholes = w->nholes;
	m->depth = w->depth;
	m->failed = w->failed;
	m->first = w->first[w->depth];
	m->key_due = w->key_due[w->depth];
}

/*
 * Take back everything written since jw_mark(m), failure included: w is
 * as it was then.  Only the current level's flags and the length change
 * while a value is written (deeper levels are set afresh when opened).
 */
void
jw_rewind(struct jw *w, const struct jw_mark *m)
{
	w->len = m->len;
	w->nholes = m->nholes;
	if (w->buf != NULL)
		w->buf[w->len] = '\0';
	w->depth = m->depth;
	w->failed = m->failed;
	w->first[w->depth] = m->first;
	w->key_due[w->depth] = m->key_due;
}

/* Write key k and the string v (null if NULL). */
void
jw_kstr(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

/* Write key k and the integer v. */
void
jw_kint(struct jw *w, const char *k, long long v)
{
	jw_key(w, k);
	jw_int(w, v);
}

/* Write key k and the boolean v. */
void
jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}
