/*
 * PostgreSQL arrays (text format) as JSON arrays.
 *
 * Arrays of the built-in types become JSON arrays (of arrays, one level
 * per dimension) of their elements' mapping (scalar.c), NULL elements
 * null; explicit bounds ("[0:1]={1,2}") are dropped as PostgreSQL's own
 * to_json() drops them.  A json element is embedded only when the whole
 * value, array levels included, nests no deeper than EMBED_DEPTH_MAX.  An
 * array of a type we do not know (a user's type) and a literal that does
 * not parse as array_out() writes them are left to the caller.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

/* box[] alone separates its elements with ';'. */
#define ARRAY_BOXOID	603

static bool
array_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Every built-in array type of PostgreSQL 15 (pg_type.dat, typcategory A;
 * checked against a live catalog) and its element type, sorted by OID.
 * int2vector (22) and oidvector (30) are not here: their text is a list
 * separated by spaces, not an array literal.
 */
static const struct pgv_arrtype {
	unsigned int	 oid;
	unsigned int	 elem;
} pgv_arrtypes[] = {
	{ 143, 142 },		/* xml */
	{ 199, 114 },		/* json */
	{ 210, 71 },		/* pg_type */
	{ 270, 75 },		/* pg_attribute */
	{ 271, 5069 },		/* xid8 */
	{ 272, 81 },		/* pg_proc */
	{ 273, 83 },		/* pg_class */
	{ 629, 628 },		/* line */
	{ 651, 650 },		/* cidr */
	{ 719, 718 },		/* circle */
	{ 775, 774 },		/* macaddr8 */
	{ 791, 790 },		/* money */
	{ 1000, 16 },		/* bool */
	{ 1001, 17 },		/* bytea */
	{ 1002, 18 },		/* char */
	{ 1003, 19 },		/* name */
	{ 1005, 21 },		/* int2 */
	{ 1006, 22 },		/* int2vector */
	{ 1007, 23 },		/* int4 */
	{ 1008, 24 },		/* regproc */
	{ 1009, 25 },		/* text */
	{ 1010, 27 },		/* tid */
	{ 1011, 28 },		/* xid */
	{ 1012, 29 },		/* cid */
	{ 1013, 30 },		/* oidvector */
	{ 1014, 1042 },		/* bpchar */
	{ 1015, 1043 },		/* varchar */
	{ 1016, 20 },		/* int8 */
	{ 1017, 600 },		/* point */
	{ 1018, 601 },		/* lseg */
	{ 1019, 602 },		/* path */
	{ 1020, 603 },		/* box: the one delimiter ';' */
	{ 1021, 700 },		/* float4 */
	{ 1022, 701 },		/* float8 */
	{ 1027, 604 },		/* polygon */
	{ 1028, 26 },		/* oid */
	{ 1034, 1033 },		/* aclitem */
	{ 1040, 829 },		/* macaddr */
	{ 1041, 869 },		/* inet */
	{ 1115, 1114 },		/* timestamp */
	{ 1182, 1082 },		/* date */
	{ 1183, 1083 },		/* time */
	{ 1185, 1184 },		/* timestamptz */
	{ 1187, 1186 },		/* interval */
	{ 1231, 1700 },		/* numeric */
	{ 1263, 2275 },		/* cstring */
	{ 1270, 1266 },		/* timetz */
	{ 1561, 1560 },		/* bit */
	{ 1563, 1562 },		/* varbit */
	{ 2201, 1790 },		/* refcursor */
	{ 2207, 2202 },		/* regprocedure */
	{ 2208, 2203 },		/* regoper */
	{ 2209, 2204 },		/* regoperator */
	{ 2210, 2205 },		/* regclass */
	{ 2211, 2206 },		/* regtype */
	{ 2949, 2970 },		/* txid_snapshot */
	{ 2951, 2950 },		/* uuid */
	{ 3221, 3220 },		/* pg_lsn */
	{ 3643, 3614 },		/* tsvector */
	{ 3644, 3642 },		/* gtsvector */
	{ 3645, 3615 },		/* tsquery */
	{ 3735, 3734 },		/* regconfig */
	{ 3770, 3769 },		/* regdictionary */
	{ 3807, 3802 },		/* jsonb */
	{ 3905, 3904 },		/* int4range */
	{ 3907, 3906 },		/* numrange */
	{ 3909, 3908 },		/* tsrange */
	{ 3911, 3910 },		/* tstzrange */
	{ 3913, 3912 },		/* daterange */
	{ 3927, 3926 },		/* int8range */
	{ 4073, 4072 },		/* jsonpath */
	{ 4090, 4089 },		/* regnamespace */
	{ 4097, 4096 },		/* regrole */
	{ 4192, 4191 },		/* regcollation */
	{ 5039, 5038 },		/* pg_snapshot */
	{ 6150, 4451 },		/* int4multirange */
	{ 6151, 4532 },		/* nummultirange */
	{ 6152, 4533 },		/* tsmultirange */
	{ 6153, 4534 },		/* tstzmultirange */
	{ 6155, 4535 },		/* datemultirange */
	{ 6157, 4536 },		/* int8multirange */
};

/* An array literal being read, or read again to be written. */
struct pgv_arr {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	unsigned int	 elem;		/* the element type */
	char		 delim;
	int		 ndims;		/* the elements' depth; 0: none yet */
	int		 embed;		/* json nesting an element may have */
	/* Elements per sub-array, by depth; 0: not seen yet. */
	size_t		 dimlen[ARRAY_DIMS_MAX + 1];
	long long	 extent[ARRAY_DIMS_MAX];	/* from [lb:ub] */
	int		 nbounds;
	size_t		 escmax;	/* longest quoted element escaped */
	char		*scratch;	/* escmax bytes, on the writing pass */
	struct jw	*w;
};

/* PostgreSQL's array_isspace(). */
static bool
pgv_arr_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static void
pgv_arr_skip(struct pgv_arr *a)
{
	while (a->pos < a->len && pgv_arr_space(a->s[a->pos]))
		a->pos++;
}

/* True, past it, if c is next. */
static bool
pgv_arr_eat(struct pgv_arr *a, char c)
{
	if (a->pos >= a->len || a->s[a->pos] != c)
		return false;
	a->pos++;
	return true;
}

/*
 * One element: quoted (backslash escapes the next byte), or unquoted up to
 * the delimiter or '}' with the spaces around it ignored, NULL in any case
 * being null.  An unquoted element holding a quote, a brace or a
 * backslash, which array_out() would have quoted, fails.
 */
static int
pgv_arr_elem(struct pgv_arr *a)
{
	const char	*s = a->s;
	size_t		 start, end, i, n;
	bool		 esc = false;

	if (pgv_arr_eat(a, '"')) {
		for (start = a->pos; a->pos < a->len && s[a->pos] != '"';
		    a->pos++)
			if (s[a->pos] == '\\') {
				esc = true;
				if (++a->pos == a->len)
					return -1;
			}
		if (a->pos >= a->len)
			return -1;
		end = a->pos++;
		if (!esc) {
			scalar_write(a->w, a->elem, s + start, end - start,
			    a->embed);
			return 0;
		}
		if (end - start > a->escmax)
			a->escmax = end - start;
		/* The checking pass has no scratch and writes nothing. */
		if (a->scratch == NULL)
			return 0;
		for (i = start, n = 0; i < end; i++) {
			if (s[i] == '\\')
				i++;
			a->scratch[n++] = s[i];
		}
		scalar_write(a->w, a->elem, a->scratch, n, a->embed);
		return 0;
	}
	for (start = a->pos; a->pos < a->len && s[a->pos] != a->delim &&
	    s[a->pos] != '}'; a->pos++)
		if (s[a->pos] == '"' || s[a->pos] == '{' ||
		    s[a->pos] == '\\')
			return -1;
	for (end = a->pos; end > start && pgv_arr_space(s[end - 1]); end--)
		continue;
	if (end == start)
		return -1;
	if (end - start == 4 && strncasecmp(s + start, "NULL", 4) == 0)
		jw_null(a->w);
	else
		scalar_write(a->w, a->elem, s + start, end - start, a->embed);
	return 0;
}

/*
 * The braces at a->pos, at depth (1: the outermost), as a JSON array.
 * Every element must be at the same depth and every sub-array of a depth
 * of the same length: a rectangle, as PostgreSQL's arrays are.  Only the
 * outermost array may be empty.
 */
static int
pgv_arr_level(struct pgv_arr *a, int depth)
{
	size_t	 n = 0;

	if (depth > ARRAY_DIMS_MAX || !pgv_arr_eat(a, '{'))
		return -1;
	jw_arr_open(a->w);
	pgv_arr_skip(a);
	if (pgv_arr_eat(a, '}')) {
		if (depth != 1)
			return -1;
		jw_arr_close(a->w);
		return 0;
	}
	for (;;) {
		pgv_arr_skip(a);
		if (a->pos < a->len && a->s[a->pos] == '{') {
			if (a->ndims != 0 && a->ndims <= depth)
				return -1;
			if (pgv_arr_level(a, depth + 1) == -1)
				return -1;
		} else {
			if (a->ndims == 0)
				a->ndims = depth;
			else if (a->ndims != depth)
				return -1;
			if (a->pos >= a->len || pgv_arr_elem(a) == -1)
				return -1;
		}
		n++;
		pgv_arr_skip(a);
		if (pgv_arr_eat(a, '}'))
			break;
		if (!pgv_arr_eat(a, a->delim))
			return -1;
	}
	if (a->dimlen[depth] == 0)
		a->dimlen[depth] = n;
	else if (a->dimlen[depth] != n)
		return -1;
	jw_arr_close(a->w);
	return 0;
}

/* An optionally signed decimal of at most 10 digits (an int4 bound). */
static int
pgv_arr_int(struct pgv_arr *a, long long *v)
{
	bool	 neg;
	int	 digits = 0;

	neg = pgv_arr_eat(a, '-');
	if (!neg)
		(void)pgv_arr_eat(a, '+');
	for (*v = 0; a->pos < a->len && array_digit(a->s[a->pos]); a->pos++) {
		if (++digits > 10)
			return -1;
		*v = *v * 10 + (a->s[a->pos] - '0');
	}
	if (digits == 0)
		return -1;
	if (neg)
		*v = -*v;
	return 0;
}

/*
 * The whole literal: [lb:ub] per dimension and '=' when a lower bound is
 * not 1, then the braces; the bounds must agree with what the braces hold.
 */
static int
pgv_arr_whole(struct pgv_arr *a)
{
	long long	 lb, ub;
	int		 i;

	a->pos = 0;
	a->nbounds = 0;
	while (pgv_arr_eat(a, '[')) {
		if (a->nbounds == ARRAY_DIMS_MAX)
			return -1;
		if (pgv_arr_int(a, &lb) == -1 || !pgv_arr_eat(a, ':') ||
		    pgv_arr_int(a, &ub) == -1 || !pgv_arr_eat(a, ']') ||
		    ub < lb)
			return -1;
		a->extent[a->nbounds++] = ub - lb + 1;
	}
	if (a->nbounds > 0 && !pgv_arr_eat(a, '='))
		return -1;
	pgv_arr_skip(a);
	if (pgv_arr_level(a, 1) == -1)
		return -1;
	pgv_arr_skip(a);
	if (a->pos != a->len)
		return -1;
	if (a->nbounds > 0) {
		if (a->nbounds != a->ndims)
			return -1;
		for (i = 0; i < a->nbounds; i++)
			if ((size_t)a->extent[i] != a->dimlen[i + 1])
				return -1;
	}
	return 0;
}

/*
 * Write the array literal as a JSON array; -1, with nothing written, if it
 * does not parse (or the scratch for unescaping cannot be had).  A first
 * pass into a writer that has failed already (every call a no-op) checks
 * the literal and sizes the scratch: the longest quoted element with an
 * escape, freed before the return.
 */
static int
array_literal(struct jw *w, unsigned int elem, const char *text, size_t len)
{
	struct pgv_arr	 a;
	struct jw	 dry;

	memset(&dry, 0, sizeof(dry));
	dry.failed = true;
	memset(&a, 0, sizeof(a));
	a.s = text;
	a.len = len;
	a.elem = elem;
	a.delim = elem == ARRAY_BOXOID ? ';' : ',';
	a.embed = EMBED_DEPTH_MAX;
	a.w = &dry;
	if (pgv_arr_whole(&a) == -1)
		return -1;
	if (a.escmax > 0 && (a.scratch = malloc(a.escmax)) == NULL)
		return -1;
	a.embed = EMBED_DEPTH_MAX - a.ndims;
	a.w = w;
	(void)pgv_arr_whole(&a);
	free(a.scratch);
	return 0;
}

unsigned int
array_elem(unsigned int oid)
{
	size_t	 lo = 0, mid, hi;

	/* A binary search over the table sorted by OID. */
	hi = sizeof(pgv_arrtypes) / sizeof(pgv_arrtypes[0]);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pgv_arrtypes[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof(pgv_arrtypes) / sizeof(pgv_arrtypes[0]) &&
	    pgv_arrtypes[lo].oid == oid)
		return pgv_arrtypes[lo].elem;
	return 0;
}

int
array_write_elem(struct jw *w, unsigned int elem, const char *text,
    size_t len)
{
	return array_literal(w, elem, text, len);
}

