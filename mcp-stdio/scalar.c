/*
 * PostgreSQL scalar values (text format) as JSON values.
 *
 * Numbers stay numbers only when PostgreSQL's text is a valid JSON number;
 * NaN, Infinity and anything unexpected become strings, so that a strange
 * value can never break the reply.  json and jsonb are embedded as they
 * are (PostgreSQL has validated them; jw_raw() drops their whitespace)
 * unless they nest deeper than the caller allows: then they are a string.
 * Everything else is PostgreSQL's text, as a string.
 */
#include <stdbool.h>
#include <stddef.h>

#include "extern.h"

/*
 * Type OIDs from PostgreSQL's catalog/pg_type.dat.  They are fixed since
 * the types were created; the server header pg_type_d.h that names them
 * is not part of the client packages, hence our own definitions.
 */
#define PGV_BOOLOID	16
#define PGV_INT8OID	20
#define PGV_INT2OID	21
#define PGV_INT4OID	23
#define PGV_OIDOID	26
#define PGV_JSONOID	114
#define PGV_FLOAT4OID	700
#define PGV_FLOAT8OID	701
#define PGV_NUMERICOID	1700
#define PGV_JSONBOID	3802

static bool
pgv_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True if the len bytes at s are exactly one number in JSON's grammar. */
static bool
pgv_is_number(const char *s, size_t len)
{
	size_t	 i = 0, d;

	if (i < len && s[i] == '-')
		i++;
	if (i >= len || !pgv_digit(s[i]))
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < len && pgv_digit(s[i]))
			i++;
	if (i < len && s[i] == '.') {
		for (d = ++i; i < len && pgv_digit(s[i]); i++)
			continue;
		if (i == d)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < len && pgv_digit(s[i]); i++)
			continue;
		if (i == d)
			return false;
	}
	return i == len;
}

void
scalar_write(struct jw *w, unsigned int oid, const char *text, size_t len,
    int embed)
{
	switch (oid) {
	case PGV_INT2OID:
	case PGV_INT4OID:
	case PGV_INT8OID:
	case PGV_OIDOID:
	case PGV_NUMERICOID:
	case PGV_FLOAT4OID:
	case PGV_FLOAT8OID:
		/* NaN, Infinity and -Infinity fail the grammar. */
		if (pgv_is_number(text, len))
			jw_num(w, text, len);
		else
			jw_strn(w, text, len);
		break;
	case PGV_BOOLOID:
		if (len == 1 && text[0] == 't')
			jw_bool(w, true);
		else if (len == 1 && text[0] == 'f')
			jw_bool(w, false);
		else
			jw_strn(w, text, len);
		break;
	case PGV_JSONOID:
	case PGV_JSONBOID:
		if (jw_raw_max(w, text, len, embed) == -1)
			jw_strn(w, text, len);
		break;
	default:
		jw_strn(w, text, len);
		break;
	}
}
