/*
 * Fuzz target: PostgreSQL values as JSON (pgv.c, scalar.c, array.c,
 * geo.c).  The first byte of the input picks a column type from the
 * table below (PostGIS's geometry and geography among them); the rest is
 * the value's text as libpq would hand it over.  The target aborts when
 * the JSON written is not valid (json_check()), unless the type is json
 * or jsonb and its text is not valid JSON itself (PostgreSQL never sends
 * that), or an array of json or jsonb (the same holds per element); when
 * the writer fails on such a value; and when geo_write() fails but wrote
 * something.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* OIDs no PostgreSQL type has: the targets' PostGIS types. */
#define FUZZ_GEOMETRY	900001u
#define FUZZ_GEOGRAPHY	900002u
#define FUZZ_GEO_ONLY	0u	/* geo_write() on its own */

static const struct ftype {
	unsigned int	 oid;
	bool		 json;		/* embedded as it is */
	bool		 json_elems;	/* an array of json or jsonb */
} ftypes[] = {
	{ 16, false, false },		/* bool */
	{ 17, false, false },		/* bytea */
	{ 20, false, false },		/* int8 */
	{ 21, false, false },		/* int2 */
	{ 22, false, false },		/* int2vector: not an array literal */
	{ 23, false, false },		/* int4 */
	{ 25, false, false },		/* text */
	{ 26, false, false },		/* oid */
	{ 30, false, false },		/* oidvector */
	{ 114, true, false },		/* json */
	{ 600, false, false },		/* point */
	{ 700, false, false },		/* float4 */
	{ 701, false, false },		/* float8 */
	{ 1700, false, false },		/* numeric */
	{ 3802, true, false },		/* jsonb */
	{ 1000, false, false },		/* bool[] */
	{ 1001, false, false },		/* bytea[] */
	{ 1002, false, false },		/* char[] */
	{ 1003, false, false },		/* name[] */
	{ 1005, false, false },		/* int2[] */
	{ 1007, false, false },		/* int4[] */
	{ 1009, false, false },		/* text[] */
	{ 1014, false, false },		/* bpchar[] */
	{ 1015, false, false },		/* varchar[] */
	{ 1016, false, false },		/* int8[] */
	{ 1017, false, false },		/* point[] */
	{ 1020, false, false },		/* box[]: ';' between elements */
	{ 1021, false, false },		/* float4[] */
	{ 1022, false, false },		/* float8[] */
	{ 1028, false, false },		/* oid[] */
	{ 1115, false, false },		/* timestamp[] */
	{ 1182, false, false },		/* date[] */
	{ 1187, false, false },		/* interval[] */
	{ 1231, false, false },		/* numeric[] */
	{ 199, false, true },		/* json[] */
	{ 3807, false, true },		/* jsonb[] */
	{ 2951, false, false },		/* uuid[] */
	{ 3905, false, false },		/* int4range[] */
	{ 16385, false, false },	/* a user's type */
	{ FUZZ_GEOMETRY, false, false },
	{ FUZZ_GEOGRAPHY, false, false },
	{ FUZZ_GEO_ONLY, false, false }
};

static void
fuzz_fail(const char *what, const char *text, size_t len)
{
	fprintf(stderr, "pgv target: %s: %.*s\n", what,
	    (int)(len > 300 ? 300 : len), text);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ftype	*t;
	const char		*text;
	struct jw		 w;
	struct error		 err;
	size_t			 len, before;
	int			 ntok, rc = 0;
	bool			 must_be_json;

	if (size == 0)
		return 0;
	t = &ftypes[data[0] % (sizeof(ftypes) / sizeof(ftypes[0]))];
	text = (const char *)data + 1;
	len = size - 1;
	pgv_set_geo_oids(FUZZ_GEOMETRY, FUZZ_GEOGRAPHY);

	jw_init(&w);
	jw_arr_open(&w);
	before = w.len;
	if (t->oid == FUZZ_GEO_ONLY) {
		rc = geo_write(&w, text, len);
		if (rc == -1 && (w.len != before || w.failed))
			fuzz_fail("geo_write failed but wrote", text, len);
		if (rc == -1)
			jw_null(&w);
	} else
		pgv_write(&w, t->oid, text, len, false);
	jw_arr_close(&w);

	must_be_json = !t->json_elems;
	if (t->json && json_check(text, len, &ntok, &err) == -1)
		must_be_json = false;
	if (must_be_json && w.failed)
		fuzz_fail("the writer failed", text, len);
	if (must_be_json && json_check(w.buf, w.len, &ntok, &err) == -1) {
		fprintf(stderr, "pgv target: type %u wrote: %.*s\n", t->oid,
		    (int)(w.len > 300 ? 300 : w.len), w.buf);
		fuzz_fail(err.msg, text, len);
	}
	jw_free(&w);

	/* A NULL is null whatever the type. */
	jw_init(&w);
	pgv_write(&w, t->oid, text, len, true);
	if (w.len != 4 || memcmp(w.buf, "null", 4) != 0)
		fuzz_fail("a NULL is not null", text, len);
	jw_free(&w);
	return 0;
}
