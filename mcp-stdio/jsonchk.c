/*
 * The strict JSON syntax check that every request line passes before
 * jsmn sees it (json.c says why): exactly one RFC 8259 value with
 * optional whitespace around it, no NUL byte, valid UTF-8 throughout, no
 * raw control character in a string, only the escapes RFC 8259 allows
 * and no lone surrogate among them, numbers as RFC 8259 spells them (no
 * 01, 1. or lone -), true, false and null in full, nesting within
 * JSON_DEPTH_MAX and at most JSON_TOKENS_MAX tokens.  json_check() also
 * counts the tokens, so that json.c can give jsmn an array of exactly
 * that size.
 *
 * The readers it shares with json.c live here too: a UTF-8 sequence, a
 * \u escape's four hex digits, JSON whitespace, a digit.  json.c uses
 * them on text that has passed; json_utf8_valid() serves jw.c and
 * audit.c.  Pure: no I/O, no allocation, never a byte read past len.
 */
#include <stdbool.h>
#include <string.h>

#include "extern.h"

/*
 * Length of the valid UTF-8 sequence at p (n bytes available), or 0 if the
 * bytes there are not one: overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences are all invalid.
 */
size_t
json_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2)
		return 0;	/* continuation byte, or overlong C0/C1 */
	if (p[0] < 0xe0)
		need = 2;
	else if (p[0] < 0xf0) {
		need = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* U+D800..DFFF */
	} else if (p[0] < 0xf5) {
		need = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (n < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return need;
}

/* True if the bytes are valid UTF-8. */
bool
json_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n)
		if ((n = json_utf8_seq(p + i, len - i)) == 0)
			return false;
	return true;
}

/* The four hex digits at p (avail bytes there) into *cp; 0 or -1. */
int
json_hex4(const char *p, size_t avail, unsigned int *cp)
{
	size_t	 i;
	int	 v;

	if (avail < 4)
		return -1;
	*cp = 0;
	for (i = 0; i < 4; i++) {
		if ((v = hex_value((unsigned char)p[i])) == -1)
			return -1;
		*cp = *cp << 4 | (unsigned int)v;
	}
	return 0;
}

static int
chk_fail(struct error *err, size_t at, const char *what)
{
	return err_set(err, RPC_PARSE_ERROR, "parse error at byte %zu: %s",
	    at, what);
}

size_t
json_skip_ws(const char *buf, size_t len, size_t pos)
{
	while (pos < len && (buf[pos] == ' ' || buf[pos] == '\t' ||
	    buf[pos] == '\n' || buf[pos] == '\r'))
		pos++;
	return pos;
}

bool
json_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The string whose opening quote is at *pos; *pos ends past the quote. */
static int
chk_string(const char *buf, size_t len, size_t *pos, struct error *err)
{
	size_t		 p = *pos + 1, esc;
	unsigned int	 cp, lo;
	unsigned char	 c;

	for (;;) {
		if (p >= len)
			return chk_fail(err, *pos, "unterminated string");
		c = (unsigned char)buf[p];
		if (c == '"')
			break;
		if (c < 0x20)
			return chk_fail(err, p,
			    "control character in string");
		if (c != '\\') {
			/* UTF-8 was checked before: multibyte is fine. */
			p++;
			continue;
		}
		esc = p++;
		if (p >= len)
			return chk_fail(err, *pos, "unterminated string");
		switch (buf[p]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p++;
			break;
		case 'u':
			if (json_hex4(buf + p + 1, len - p - 1, &cp) == -1)
				return chk_fail(err, esc,
				    "invalid \\u escape in string");
			p += 5;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return chk_fail(err, esc,
				    "lone surrogate in \\u escape");
			if (cp < 0xd800 || cp > 0xdbff)
				break;
			if (len - p < 6 || buf[p] != '\\' ||
			    buf[p + 1] != 'u' ||
			    json_hex4(buf + p + 2, len - p - 2, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return chk_fail(err, esc,
				    "lone surrogate in \\u escape");
			p += 6;
			break;
		default:
			return chk_fail(err, esc, "invalid escape in string");
		}
	}
	*pos = p + 1;
	return 0;
}

/* The number starting at *pos (a '-' or a digit). */
static int
chk_number(const char *buf, size_t len, size_t *pos, struct error *err)
{
	size_t	 p = *pos;

	if (buf[p] == '-')
		p++;
	if (p >= len || !json_is_digit(buf[p]))
		return chk_fail(err, p, "expected a digit after '-'");
	if (buf[p] == '0') {
		p++;
		if (p < len && json_is_digit(buf[p]))
			return chk_fail(err, p, "leading zero in number");
	} else
		while (p < len && json_is_digit(buf[p]))
			p++;
	if (p < len && buf[p] == '.') {
		p++;
		if (p >= len || !json_is_digit(buf[p]))
			return chk_fail(err, p, "expected a digit after '.'");
		while (p < len && json_is_digit(buf[p]))
			p++;
	}
	if (p < len && (buf[p] == 'e' || buf[p] == 'E')) {
		p++;
		if (p < len && (buf[p] == '+' || buf[p] == '-'))
			p++;
		if (p >= len || !json_is_digit(buf[p]))
			return chk_fail(err, p,
			    "expected a digit in exponent");
		while (p < len && json_is_digit(buf[p]))
			p++;
	}
	*pos = p;
	return 0;
}

/* One of true, false, null at *pos. */
static int
chk_literal(const char *buf, size_t len, size_t *pos, struct error *err)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t			 i, n;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = strlen(lits[i]);
		if (len - *pos >= n && memcmp(buf + *pos, lits[i], n) == 0) {
			*pos += n;
			return 0;
		}
	}
	return chk_fail(err, *pos, "invalid literal");
}

/* No NUL byte and valid UTF-8 throughout. */
static int
chk_bytes(const char *buf, size_t len, struct error *err)
{
	const unsigned char	*p = (const unsigned char *)buf;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		if (p[i] == '\0')
			return err_set(err, RPC_PARSE_ERROR,
			    "NUL byte at byte %zu", i);
		if ((n = json_utf8_seq(p + i, len - i)) == 0)
			return err_set(err, RPC_PARSE_ERROR,
			    "invalid UTF-8 at byte %zu", i);
	}
	return 0;
}

enum chk_state {
	CHK_VALUE,		/* a value is due */
	CHK_KEY,		/* a key is due (after '{' or ',') */
	CHK_NEXT		/* after a value: ',', a close, or the end */
};

/*
 * Check that buf is exactly one JSON value with optional surrounding
 * whitespace, within the depth and token caps.  Returns 0 with *ntok set
 * to the number of jsmn tokens (values and keys), or -1 with err filled.
 */
int
json_check(const char *buf, size_t len, int *ntok, struct error *err)
{
	char		 stack[JSON_DEPTH_MAX];
	int		 depth = 0, n = 0;
	size_t		 pos;
	enum chk_state	 st = CHK_VALUE;
	char		 c, close;

	if (chk_bytes(buf, len, err) == -1)
		return -1;
	pos = json_skip_ws(buf, len, 0);
	for (;;) {
		switch (st) {
		case CHK_VALUE:
			if (pos >= len)
				return chk_fail(err, pos,
				    "unexpected end of input");
			if (++n > JSON_TOKENS_MAX)
				return err_set(err, RPC_PARSE_ERROR,
				    "more than %d tokens at byte %zu",
				    JSON_TOKENS_MAX, pos);
			c = buf[pos];
			if (c == '{' || c == '[') {
				if (depth == JSON_DEPTH_MAX)
					return err_set(err, RPC_PARSE_ERROR,
					    "nesting deeper than %d at "
					    "byte %zu", JSON_DEPTH_MAX, pos);
				stack[depth++] = c;
				pos = json_skip_ws(buf, len, pos + 1);
				close = c == '{' ? '}' : ']';
				if (pos < len && buf[pos] == close) {
					depth--;
					pos = json_skip_ws(buf, len, pos + 1);
					st = CHK_NEXT;
				} else
					st = c == '{' ? CHK_KEY : CHK_VALUE;
				continue;
			}
			if (c == '"') {
				if (chk_string(buf, len, &pos, err) == -1)
					return -1;
			} else if (c == '-' || json_is_digit(c)) {
				if (chk_number(buf, len, &pos, err) == -1)
					return -1;
			} else if (c == 't' || c == 'f' || c == 'n') {
				if (chk_literal(buf, len, &pos, err) == -1)
					return -1;
			} else
				return chk_fail(err, pos, "expected a value");
			pos = json_skip_ws(buf, len, pos);
			st = CHK_NEXT;
			break;
		case CHK_KEY:
			if (pos >= len)
				return chk_fail(err, pos,
				    "unexpected end of input");
			if (buf[pos] != '"')
				return chk_fail(err, pos,
				    "expected a string key");
			if (++n > JSON_TOKENS_MAX)
				return err_set(err, RPC_PARSE_ERROR,
				    "more than %d tokens at byte %zu",
				    JSON_TOKENS_MAX, pos);
			if (chk_string(buf, len, &pos, err) == -1)
				return -1;
			pos = json_skip_ws(buf, len, pos);
			if (pos >= len)
				return chk_fail(err, pos,
				    "unexpected end of input");
			if (buf[pos] != ':')
				return chk_fail(err, pos,
				    "expected ':' after key");
			pos = json_skip_ws(buf, len, pos + 1);
			st = CHK_VALUE;
			break;
		case CHK_NEXT:
			if (depth == 0) {
				if (pos != len)
					return chk_fail(err, pos,
					    "trailing data after the value");
				*ntok = n;
				return 0;
			}
			if (pos >= len)
				return chk_fail(err, pos,
				    "unexpected end of input");
			close = stack[depth - 1] == '{' ? '}' : ']';
			if (buf[pos] == close) {
				depth--;
				pos = json_skip_ws(buf, len, pos + 1);
				break;
			}
			if (buf[pos] != ',')
				return chk_fail(err, pos, close == '}' ?
				    "expected ',' or '}'" :
				    "expected ',' or ']'");
			pos = json_skip_ws(buf, len, pos + 1);
			if (pos < len && buf[pos] == close)
				return chk_fail(err, pos, close == '}' ?
				    "trailing comma in object" :
				    "trailing comma in array");
			st = close == '}' ? CHK_KEY : CHK_VALUE;
			break;
		}
	}
}
