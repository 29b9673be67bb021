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

/* Decide how values of type oid are written (see extern.h). */
void
pgv_map(struct pgv_map *m, unsigned int oid)
{
	m->oid = oid;
	m->geo = oid != 0 && (oid == pgv_geometry || oid == pgv_geography);
	m->elem = m->geo ? 0 : array_elem(oid);
}

/* Write the value as m says; nothing to free. */
void
pgv_map_write(struct jw *w, const struct pgv_map *m, const char *text,
    size_t len, bool isnull)
{
	if (isnull || text == NULL) {
		jw_null(w);
		return;
	}
	if (m->geo) {
		if (geo_write(w, text, len) == -1)
			jw_strn(w, text, len);
	} else if (m->elem != 0) {
		if (array_write_elem(w, m->elem, text, len) == -1)
			jw_strn(w, text, len);
	} else
		scalar_write(w, m->oid, text, len, EMBED_DEPTH_MAX);
}

/* Write the value; nothing to free (see extern.h for the mapping). */
void
pgv_write(struct jw *w, unsigned int oid, const char *text, size_t len,
    bool isnull)
{
	struct pgv_map	 m;

	pgv_map(&m, oid);
	pgv_map_write(w, &m, text, len, isnull);
}
