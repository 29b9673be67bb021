/*
 * The strict JSON reader: json_parse() and json_free(), the duplicate-key
 * check, and the accessors that read a parsed document (json_type() to
 * json_int()).
 *
 * jsmn is a tokenizer, not a validator: it accepts {"a"}, {"a":1,},
 * {"a"::1}, {}{}, {"a":tru}, raw control characters in strings, 01, 1.,
 * a lone -, bad escapes, and stops silently at a NUL.  So every line first
 * goes through json_check() (jsonchk.c), a syntax checker for RFC 8259,
 * which also enforces UTF-8, the depth cap and the token cap and counts
 * the tokens.  Only a line that passes is handed to jsmn, with a token
 * array of exactly that size.
 *
 * Duplicate keys are rejected in every object, nested ones included: a
 * message in which "id" or "method" appears twice means different things
 * to different readers (RFC 8259 section 4 leaves the result undefined).
 * Keys are compared after unescaping ("a" equals "\u0061").  Each object's
 * keys are sorted, so the work is O(n log n) per object and a line at the
 * token cap costs milliseconds, not a quadratic number of comparisons.
 *
 * This is the one translation unit that instantiates jsmn, and the only
 * one that includes jsmn.h: JSMN_PARENT_LINKS changes jsmntok_t, so the
 * code that reads the tokens stays here, where the layout is the one jsmn
 * wrote.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS	/* closing a container costs O(depth) */
#include <jsmn.h>

/* Key bytes quoted in a duplicate-key message. */
#define DUPKEY_QUOTE	40

/* A key of one object, for the duplicate check. */
struct key {
	const char	*s;		/* raw, still escaped */
	size_t		 n;
};

/*
 * The next code point of a string body that json_check() accepted;
 * advances *pp.
 */
static uint32_t
str_next(const char **pp, const char *end)
{
	const unsigned char	*p = (const unsigned char *)*pp;
	unsigned int		 cp, lo;
	size_t			 n;

	if (p[0] != '\\') {
		n = json_utf8_seq(p, (size_t)(end - *pp));
		*pp += n;
		switch (n) {
		case 1:
			return p[0];
		case 2:
			return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		case 3:
			return (uint32_t)(p[0] & 0x0f) << 12 |
			    (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		default:
			return (uint32_t)(p[0] & 0x07) << 18 |
			    (uint32_t)(p[1] & 0x3f) << 12 |
			    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		}
	}
	*pp += 2;
	switch (p[1]) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'u':
		break;
	default:
		return p[1];	/* " \ / */
	}
	(void)json_hex4(*pp, 4, &cp);
	*pp += 4;
	if (cp < 0xd800 || cp > 0xdbff)
		return cp;
	(void)json_hex4(*pp + 2, 4, &lo);
	*pp += 6;
	return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
}

/* Encode cp as UTF-8 into out (4 bytes of room); returns the length. */
static size_t
utf8_put(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Compare two keys by unescaped content: -1, 0 or 1. */
static int
key_content_cmp(const struct key *a, const struct key *b)
{
	const char	*p = a->s, *q = b->s;
	uint32_t	 x, y;

	while (p < a->s + a->n && q < b->s + b->n) {
		x = str_next(&p, a->s + a->n);
		y = str_next(&q, b->s + b->n);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (p < a->s + a->n)
		return 1;
	if (q < b->s + b->n)
		return -1;
	return 0;
}

/* qsort: by content, then by position in the line. */
static int
key_cmp(const void *va, const void *vb)
{
	const struct key	*a = va, *b = vb;
	int			 c;

	if ((c = key_content_cmp(a, b)) != 0)
		return c;
	return a->s < b->s ? -1 : a->s > b->s;
}

/* Raw bytes of k to quote: at most DUPKEY_QUOTE, whole characters. */
static size_t
key_quote_len(const struct key *k)
{
	size_t	 i = 0, step;

	while (i < k->n) {
		if (k->s[i] == '\\')
			step = k->s[i + 1] == 'u' ? 6 : 2;
		else
			step = json_utf8_seq((const unsigned char *)k->s + i,
			    k->n - i);
		if (i + step > DUPKEY_QUOTE)
			break;
		i += step;
	}
	return i;
}

/* Index just past token t and everything nested in it. */
static int
tok_skip(const struct json_doc *doc, int t)
{
	const jsmntok_t	*tok = doc->tok;
	int		 lo, hi, mid;

	if (tok[t].type != JSMN_OBJECT && tok[t].type != JSMN_ARRAY)
		return t + 1;
	/* Tokens are in document order: find the first one past t's end. */
	lo = t + 1;
	hi = doc->ntok;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tok[mid].start < tok[t].end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Reject an object holding the same key twice (see the top of the file). */
static int
json_dupkeys(const struct json_doc *doc, struct error *err)
{
	const jsmntok_t		*tok = doc->tok;
	struct key		*keys = NULL;
	const struct key	*dup = NULL;
	size_t			 nkeys, i, q;
	int			 t, k, m, rc = -1;

	for (t = 0; t < doc->ntok && dup == NULL; t++) {
		if (tok[t].type != JSMN_OBJECT || tok[t].size < 2)
			continue;
		if (keys == NULL && (keys = reallocarray(NULL,
		    (size_t)doc->ntok, sizeof(*keys))) == NULL) {
			err_set(err, RPC_INTERNAL_ERROR, "out of memory");
			goto out;
		}
		nkeys = 0;
		for (k = t + 1, m = 0; m < tok[t].size; m++) {
			keys[nkeys].s = doc->buf + tok[k].start;
			keys[nkeys].n = (size_t)(tok[k].end - tok[k].start);
			nkeys++;
			k = tok_skip(doc, k + 1);
		}
		qsort(keys, nkeys, sizeof(*keys), key_cmp);
		/* Of equal keys, report the first repetition in the line. */
		for (i = 1; i < nkeys; i++)
			if (key_content_cmp(&keys[i - 1], &keys[i]) == 0 &&
			    (dup == NULL || keys[i].s < dup->s))
				dup = &keys[i];
	}
	if (dup != NULL) {
		q = key_quote_len(dup);
		err_set(err, RPC_PARSE_ERROR,
		    "parse error at byte %zu: duplicate key \"%.*s%s\"",
		    (size_t)(dup->s - doc->buf) - 1, (int)q, dup->s,
		    q < dup->n ? "..." : "");
		goto out;
	}
	rc = 0;
out:
	free(keys);
	return rc;
}

/*
 * Parse one line strictly into doc.  Returns 0, or -1 with err filled
 * (RPC_PARSE_ERROR; RPC_INTERNAL_ERROR when memory runs out).  The caller
 * releases doc with json_free(); buf must outlive it.
 */
int
json_parse(struct json_doc *doc, const char *buf, size_t len,
    struct error *err)
{
	jsmn_parser	 p;
	jsmntok_t	*tok;
	int		 ntok = 0, r;
	size_t		 s, e;

	memset(doc, 0, sizeof(*doc));
	if (len > INT_MAX)
		return err_set(err, RPC_PARSE_ERROR,
		    "parse error: line longer than %d bytes", INT_MAX);
	if (json_check(buf, len, &ntok, err) == -1)
		return -1;
	if ((tok = reallocarray(NULL, (size_t)ntok, sizeof(*tok))) == NULL)
		return err_set(err, RPC_INTERNAL_ERROR, "out of memory");
	s = json_skip_ws(buf, len, 0);
	if (buf[s] != '{' && buf[s] != '[' && buf[s] != '"') {
		/*
		 * A bare number or literal: strict jsmn wants a ',', ']' or
		 * '}' after every primitive, so it would report a partial
		 * document.  The checker has vouched for it; one token.
		 */
		for (e = s; e < len && buf[e] != ' ' && buf[e] != '\t' &&
		    buf[e] != '\n' && buf[e] != '\r'; e++)
			continue;
		tok[0].type = JSMN_PRIMITIVE;
		tok[0].start = (int)s;
		tok[0].end = (int)e;
		tok[0].size = 0;
		tok[0].parent = -1;
	} else {
		jsmn_init(&p);
		r = jsmn_parse(&p, buf, len, tok, (unsigned int)ntok);
		if (r != ntok) {
			free(tok);
			return err_set(err, RPC_INTERNAL_ERROR,
			    "tokenizer disagrees with the checker (%d)", r);
		}
	}
	doc->buf = buf;
	doc->len = len;
	doc->tok = tok;
	doc->ntok = ntok;
	if (json_dupkeys(doc, err) == -1) {
		json_free(doc);
		return -1;
	}
	return 0;
}

/* Release doc's tokens (not the line it points into). */
void
json_free(struct json_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->tok);
	memset(doc, 0, sizeof(*doc));
}

/* The type of token t; JSON_NONE if t is out of range (-1: absent). */
enum json_type
json_type(const struct json_doc *doc, int t)
{
	const jsmntok_t	*tok = doc->tok;

	if (t < 0 || t >= doc->ntok)
		return JSON_NONE;
	switch (tok[t].type) {
	case JSMN_OBJECT:
		return JSON_OBJECT;
	case JSMN_ARRAY:
		return JSON_ARRAY;
	case JSMN_STRING:
		return JSON_STRING;
	case JSMN_PRIMITIVE:
		switch (doc->buf[tok[t].start]) {
		case 't':
		case 'f':
			return JSON_BOOL;
		case 'n':
			return JSON_NULL;
		default:
			return JSON_NUMBER;
		}
	default:
		return JSON_NONE;
	}
}

/* Index of the value of member key in object t, or -1. */
int
json_member(const struct json_doc *doc, int t, const char *key)
{
	const jsmntok_t	*tok = doc->tok;
	int		 k, m;

	if (json_type(doc, t) != JSON_OBJECT || key == NULL)
		return -1;
	for (k = t + 1, m = 0; m < tok[t].size; m++) {
		if (json_streq(doc, k, key))
			return k + 1;
		k = tok_skip(doc, k + 1);
	}
	return -1;
}

/* Members of object t or elements of array t; 0 for anything else. */
int
json_size(const struct json_doc *doc, int t)
{
	const jsmntok_t	*tok = doc->tok;

	switch (json_type(doc, t)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		return tok[t].size;
	default:
		return 0;
	}
}

/* Index of element i of array t or key i of object t, or -1. */
int
json_child(const struct json_doc *doc, int t, int i)
{
	enum json_type	 type = json_type(doc, t);
	int		 k, m;

	if ((type != JSON_OBJECT && type != JSON_ARRAY) || i < 0 ||
	    i >= json_size(doc, t))
		return -1;
	for (k = t + 1, m = 0; m < i; m++)
		k = tok_skip(doc, type == JSON_OBJECT ? k + 1 : k);
	return k;
}

/*
 * Pointer into the line at token t's bytes (a string without its quotes),
 * length in *len; NULL and 0 if t is out of range.  Nothing to free.
 */
const char *
json_raw(const struct json_doc *doc, int t, size_t *len)
{
	const jsmntok_t	*tok = doc->tok;

	if (t < 0 || t >= doc->ntok) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)(tok[t].end - tok[t].start);
	return doc->buf + tok[t].start;
}

/*
 * String token t unescaped into a new NUL-terminated buffer the caller
 * frees; NULL if t is no string, holds \u0000, or memory runs out.
 */
char *
json_strdup(const struct json_doc *doc, int t)
{
	const char	*p, *end;
	unsigned char	*out;
	size_t		 n, o = 0;
	uint32_t	 cp;

	if (json_type(doc, t) != JSON_STRING)
		return NULL;
	p = json_raw(doc, t, &n);
	end = p + n;
	/* Unescaping never makes a string longer. */
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	while (p < end) {
		if ((cp = str_next(&p, end)) == 0) {
			free(out);
			return NULL;
		}
		o += utf8_put(cp, out + o);
	}
	out[o] = '\0';
	return (char *)out;
}

/* True if t is a string equal to s after unescaping. */
bool
json_streq(const struct json_doc *doc, int t, const char *s)
{
	const char	*p, *end;
	unsigned char	 enc[4];
	size_t		 n, i, j = 0;

	if (json_type(doc, t) != JSON_STRING || s == NULL)
		return false;
	p = json_raw(doc, t, &n);
	end = p + n;
	while (p < end) {
		n = utf8_put(str_next(&p, end), enc);
		for (i = 0; i < n; i++, j++)
			if (s[j] == '\0' || (unsigned char)s[j] != enc[i])
				return false;
	}
	return s[j] == '\0';
}

/* Integer t in [min, max] into *out; 0, or -1 (leaving *out alone). */
int
json_int(const struct json_doc *doc, int t, long long min, long long max,
    long long *out)
{
	const char	*p;
	size_t		 n, i = 0;
	long long	 acc = 0;
	int		 d;
	bool		 neg = false;

	if (json_type(doc, t) != JSON_NUMBER)
		return -1;
	p = json_raw(doc, t, &n);
	if (n > 0 && p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n)
		return -1;
	/* Accumulate negatively: LLONG_MIN has no positive counterpart. */
	for (; i < n; i++) {
		if (!json_is_digit(p[i]))
			return -1;	/* fraction or exponent */
		d = p[i] - '0';
		if (acc < LLONG_MIN / 10 ||
		    (acc == LLONG_MIN / 10 && d > -(LLONG_MIN % 10)))
			return -1;
		acc = acc * 10 - d;
	}
	if (!neg) {
		if (acc == LLONG_MIN)
			return -1;
		acc = -acc;
	}
	if (acc < min || acc > max)
		return -1;
	*out = acc;
	return 0;
}
