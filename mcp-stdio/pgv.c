/*
 * PostgreSQL values (text format) as JSON values: each to its mapper.
 * PostGIS geometry and geography, once their OIDs are known
 * (pgv_set_geo_oids()), become GeoJSON (geo.c); arrays of the built-in
 * types JSON arrays (array.c); everything else a scalar (scalar.c).  A
 * geometry or an array that does not parse is PostgreSQL's text, as a
 * string.
 */
#include <stdbool.h>
#include <stddef.h>

#include "extern.h"

/* PostGIS's types in this database; 0 while unknown. */
static unsigned int	 pgv_geometry, pgv_geography;

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
	int	 rc;

	if (isnull || text == NULL) {
		jw_null(w);
		return;
	}
	if (oid != 0 && (oid == pgv_geometry || oid == pgv_geography)) {
		if (geo_write(w, text, len) == -1)
			jw_strn(w, text, len);
		return;
	}
	if ((rc = array_write(w, oid, text, len)) == -1)
		jw_strn(w, text, len);
	else if (rc == 1)
		scalar_write(w, oid, text, len, EMBED_DEPTH_MAX);
}
