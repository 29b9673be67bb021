/*
 * PostgreSQL values (text format) as JSON values.
 *
 * Numbers stay numbers only when PostgreSQL's text is a valid JSON number;
 * NaN, Infinity and anything unexpected become strings, so that a strange
 * value can never break the reply.  json and jsonb are embedded as they
 * are (PostgreSQL has validated them; jw_raw() drops their whitespace)
 * unless they nest deeper than EMBED_DEPTH_MAX: then they are a string.
 *
 * Arrays of the built-in types become JSON arrays (of arrays, one level
 * per dimension) of their elements' mapping, NULL elements null; explicit
 * bounds ("[0:1]={1,2}") are dropped as PostgreSQL's own to_json() drops
 * them.  A json element is embedded only when the whole value, array
 * levels included, nests no deeper than EMBED_DEPTH_MAX.  An array of a
 * type we do not know (a user's type) and a literal that does not parse
 * as array_out() writes them stay PostgreSQL's text, as a string.
 *
 * PostGIS geometry and geography, once their OIDs are known
 * (pgv_set_geo_oids()), become GeoJSON (geo.c), or their text when that
 * fails.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
#define PGV_BOXOID	603
#define PGV_FLOAT4OID	700
#define PGV_FLOAT8OID	701
#define PGV_NUMERICOID	1700
#define PGV_JSONBOID	3802

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

/* PostGIS's types in this database; 0 while unknown. */
static unsigned int	 pgv_geometry, pgv_geography;

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

static void	pgv_scalar(struct jw *, unsigned int, const char *, size_t,
		    int);

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

/*
 * True if the JSON text nests arrays and objects no deeper than max: a
 * deeper document is sent as a string, which every client can parse.
 */
static bool
pgv_json_shallow(const char *s, size_t len, int max)
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
 * Write one scalar value of type oid; json nesting deeper than embed is
 * sent as a string.
 */
static void
pgv_scalar(struct jw *w, unsigned int oid, const char *text, size_t len,
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
			jw_raw(w, text, len);
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
		if (pgv_json_shallow(text, len, embed))
			jw_raw(w, text, len);
		else
			jw_strn(w, text, len);
		break;
	default:
		jw_strn(w, text, len);
		break;
	}
}

static int
pgv_arrtype_cmp(const void *key, const void *elem)
{
	unsigned int				 oid;
	const struct pgv_arrtype		*t = elem;

	oid = *(const unsigned int *)key;
	return oid < t->oid ? -1 : oid > t->oid;
}

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
			pgv_scalar(a->w, a->elem, s + start, end - start,
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
		pgv_scalar(a->w, a->elem, a->scratch, n, a->embed);
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
		pgv_scalar(a->w, a->elem, s + start, end - start, a->embed);
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
	for (*v = 0; a->pos < a->len && pgv_digit(a->s[a->pos]); a->pos++) {
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
pgv_array(struct jw *w, unsigned int elem, const char *text, size_t len)
{
	struct pgv_arr	 a;
	struct jw	 dry;

	memset(&dry, 0, sizeof(dry));
	dry.failed = true;
	memset(&a, 0, sizeof(a));
	a.s = text;
	a.len = len;
	a.elem = elem;
	a.delim = elem == PGV_BOXOID ? ';' : ',';
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

/* Remember PostGIS's type OIDs (0: not installed); no allocation. */
void
pgv_set_geo_oids(unsigned int geometry, unsigned int geography)
{
	pgv_geometry = geometry;
	pgv_geography = geography;
}

/* Write the value; nothing to free (see extern.h for the mapping). */
void
pgv_write(struct jw *w, unsigned int oid, const char *text, size_t len,
    bool isnull)
{
	const struct pgv_arrtype	*t;

	if (isnull || text == NULL) {
		jw_null(w);
		return;
	}
	if (oid != 0 && (oid == pgv_geometry || oid == pgv_geography)) {
		if (geo_write(w, text, len) == -1)
			jw_strn(w, text, len);
		return;
	}
	t = bsearch(&oid, pgv_arrtypes,
	    sizeof(pgv_arrtypes) / sizeof(pgv_arrtypes[0]),
	    sizeof(pgv_arrtypes[0]), pgv_arrtype_cmp);
	if (t != NULL) {
		if (pgv_array(w, t->elem, text, len) == -1)
			jw_strn(w, text, len);
		return;
	}
	pgv_scalar(w, oid, text, len, EMBED_DEPTH_MAX);
}
