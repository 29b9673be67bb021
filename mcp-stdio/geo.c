/*
 * PostGIS geometry and geography as GeoJSON geometry objects (RFC 7946).
 *
 * libpq hands both types over in text format as hex-encoded EWKB: per
 * geometry a byte order (0 big-endian, 1 little-endian), a type with
 * PostGIS's flags (0x80000000 Z, 0x40000000 M, 0x20000000 SRID follows)
 * or ISO's codes (1000 + type Z, 2000 + type M, 3000 + type ZM), then the
 * counts and coordinates.  The seven OGC types are mapped; curves,
 * surfaces and anything else are not GeoJSON, and fail.
 *
 * The mapping: Z is the third coordinate; M is dropped (GeoJSON has no
 * place for it); coordinates are rounded to GEO_DECIMALS places, written
 * without trailing zeros, exponent or negative zero (magnitudes of 1e15
 * and more, beyond any real coordinate system, keep their exact %.17g
 * form); an empty geometry has empty coordinates ("coordinates":[]), an
 * empty collection no geometries.  RFC 7946 has no crs member: an SRID
 * other than 4326 (WGS 84, GeoJSON's own) becomes the foreign member
 * "srid" of the outermost object, so that projected coordinates are never
 * mistaken for degrees.
 *
 * Nothing is trusted: every count is checked against the bytes left
 * before a loop runs on it, collections nest at most GEO_NEST_MAX deep,
 * the parts of a multi-geometry must be of its part type and every part
 * of the dimensions of its parent, coordinates must be finite (an empty
 * point, all NaN, is the one exception), and the value must end where the
 * geometry does.  The input is walked once, into the caller's writer: a
 * value found malformed half way is taken back (jw_rewind()), so that a
 * refused value leaves the writer as it was.  No memory is allocated.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "extern.h"

/* WKB geometry types. */
#define GEO_POINT		1
#define GEO_LINESTRING		2
#define GEO_POLYGON		3
#define GEO_MULTIPOINT		4
#define GEO_MULTILINESTRING	5
#define GEO_MULTIPOLYGON	6
#define GEO_COLLECTION		7

/* PostGIS's EWKB type flags. */
#define GEO_FLAG_Z		0x80000000u
#define GEO_FLAG_M		0x40000000u
#define GEO_FLAG_SRID		0x20000000u

#define GEO_SRID_WGS84		4326
/* The least a part takes: byte order, type, a count of zero. */
#define GEO_PART_MIN		9
/* From this magnitude on, a coordinate keeps its exact %.17g form. */
#define GEO_FIXED_MAX		1e15

static const char *const geo_names[] = {
	NULL, "Point", "LineString", "Polygon", "MultiPoint",
	"MultiLineString", "MultiPolygon", "GeometryCollection"
};

/* The bytes of a value, read from its hex digits as they are needed. */
struct geo_rd {
	const char	*hex;
	size_t		 n;		/* bytes: half the digits */
	size_t		 pos;		/* the next byte */
};

/* One geometry's header. */
struct geo_hdr {
	bool		 le;		/* little-endian */
	bool		 z;
	bool		 m;
	bool		 has_srid;
	unsigned int	 type;		/* GEO_POINT to GEO_COLLECTION */
	uint32_t	 srid;
};

static size_t
geo_left(const struct geo_rd *r)
{
	return r->n - r->pos;
}

/* Read k bytes into b; -1 past the end or on a digit that is not hex. */
static int
geo_bytes(struct geo_rd *r, unsigned char *b, size_t k)
{
	if (k > geo_left(r) || hex_decode(b, r->hex + 2 * r->pos, k) == -1)
		return -1;
	r->pos += k;
	return 0;
}

/*
 * The 32-bit unsigned integer in the four bytes at b, little-endian (le)
 * or big-endian: spelt out byte by byte, which compilers turn into one
 * load (and a byte swap where the host's order differs).
 */
static uint32_t
geo_get32(const unsigned char *b, bool le)
{
	if (le)
		return (uint32_t)b[0] | (uint32_t)b[1] << 8 |
		    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return (uint32_t)b[3] | (uint32_t)b[2] << 8 |
	    (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}

static int
geo_u32(struct geo_rd *r, bool le, uint32_t *v)
{
	unsigned char	 b[4];

	if (geo_bytes(r, b, sizeof(b)) == -1)
		return -1;
	*v = geo_get32(b, le);
	return 0;
}

/* The double in the eight bytes at b, little-endian (le) or big-endian. */
static double
geo_get64(const unsigned char *b, bool le)
{
	uint64_t	 u;
	double		 v;

	if (le)
		u = (uint64_t)geo_get32(b + 4, true) << 32 | geo_get32(b, true);
	else
		u = (uint64_t)geo_get32(b, false) << 32 |
		    geo_get32(b + 4, false);
	memcpy(&v, &u, sizeof(v));
	return v;
}

static int
geo_f64(struct geo_rd *r, bool le, double *v)
{
	unsigned char	 b[8];

	if (geo_bytes(r, b, sizeof(b)) == -1)
		return -1;
	*v = geo_get64(b, le);
	return 0;
}

/* Read a geometry's byte order, type and SRID; -1 if not one we map. */
static int
geo_header(struct geo_rd *r, struct geo_hdr *h)
{
	unsigned char	 order;
	uint32_t	 t, iso;

	memset(h, 0, sizeof(*h));
	if (geo_bytes(r, &order, 1) == -1 || order > 1)
		return -1;
	h->le = order == 1;
	if (geo_u32(r, h->le, &t) == -1)
		return -1;
	h->z = (t & GEO_FLAG_Z) != 0;
	h->m = (t & GEO_FLAG_M) != 0;
	h->has_srid = (t & GEO_FLAG_SRID) != 0;
	t &= ~(GEO_FLAG_Z | GEO_FLAG_M | GEO_FLAG_SRID);
	iso = t / 1000;
	t %= 1000;
	if (iso > 3 || t < GEO_POINT || t > GEO_COLLECTION)
		return -1;
	h->z = h->z || (iso & 1) != 0;
	h->m = h->m || (iso & 2) != 0;
	h->type = t;
	if (h->has_srid && geo_u32(r, h->le, &h->srid) == -1)
		return -1;
	return 0;
}

/* 10^GEO_DECIMALS, and where the integer path of geo_coord() ends. */
#define GEO_SCALE		1e7
#if GEO_DECIMALS != 7
#error "GEO_SCALE must be 10 to the power GEO_DECIMALS"
#endif
#define GEO_FAST_MAX		1e6

/*
 * The integer path: below GEO_FAST_MAX, v * GEO_SCALE is under 1e13 and
 * off by at most 2^-10 from the exact product, so unless it lies within
 * 0.01 of a half it rounds to the integer %.*f would print.  Returns the
 * length, or 0 when the caller must ask snprintf.
 */
static size_t
geo_coord_fast(char *b, double v)
{
	char		 d[24];
	double		 a, half;
	unsigned long long u, ip, fp;
	size_t		 n = 0, k = 0, i;

	if (!(fabs(v) < GEO_FAST_MAX))
		return 0;
	/* The magnitude, its integer part and how far its rest is from .5. */
	a = fabs(v * GEO_SCALE);
	u = (unsigned long long)a;
	half = a - (double)u - 0.5;
	if (fabs(half) < 0.01)
		return 0;
	u += half > 0;
	ip = u / (unsigned long long)GEO_SCALE;
	fp = u % (unsigned long long)GEO_SCALE;
	if (v < 0 && u > 0)
		b[n++] = '-';
	do
		d[k++] = (char)('0' + ip % 10);
	while ((ip /= 10) > 0);
	while (k > 0)
		b[n++] = d[--k];
	if (fp > 0) {
		/* The k digits left once trailing zeros go, right to left. */
		for (k = GEO_DECIMALS; fp % 10 == 0; k--)
			fp /= 10;
		b[n++] = '.';
		for (i = k; i > 0; i--, fp /= 10)
			b[n + i - 1] = (char)('0' + fp % 10);
		n += k;
	}
	b[n] = '\0';
	return n;
}

size_t
geo_coord(char *b, double v)
{
	int	 n;

	if ((n = (int)geo_coord_fast(b, v)) > 0)
		return (size_t)n;
	if (fabs(v) < GEO_FIXED_MAX) {
		n = snprintf(b, GEO_COORD_MAX, "%.*f", GEO_DECIMALS, v);
		if (n <= 0 || n >= GEO_COORD_MAX)
			return 0;
		/* %f always has a point: its trailing zeros go, then it. */
		while (b[n - 1] == '0')
			n--;
		if (b[n - 1] == '.')
			n--;
		if (n == 2 && b[0] == '-' && b[1] == '0') {
			b[0] = '0';
			n = 1;
		}
		b[n] = '\0';
	} else
		n = snprintf(b, GEO_COORD_MAX, "%.17g", v);
	return n > 0 && n < GEO_COORD_MAX ? (size_t)n : 0;
}

/* Write one coordinate, rounded to GEO_DECIMALS places. */
static void
geo_num(struct jw *w, double v)
{
	char	 b[GEO_COORD_MAX];
	size_t	 n;

	if (w->failed)
		return;
	if ((n = geo_coord(b, v)) > 0)
		jw_num(w, b, n);
}

/*
 * Read one position and write it as [x,y] or [x,y,z].  All NaN is an
 * empty point, written [] where empty_ok; any other NaN or infinity fails.
 */
static int
geo_position(struct geo_rd *r, struct jw *w, const struct geo_hdr *h,
    bool empty_ok)
{
	double	 c[4];
	int	 i, nc, nnan = 0;

	nc = 2 + (h->z ? 1 : 0) + (h->m ? 1 : 0);
	for (i = 0; i < nc; i++) {
		if (geo_f64(r, h->le, &c[i]) == -1)
			return -1;
		if (isnan(c[i]))
			nnan++;
		else if (!isfinite(c[i]))
			return -1;
	}
	if (nnan == nc && empty_ok) {
		jw_arr_open(w);
		jw_arr_close(w);
		return 0;
	}
	if (nnan > 0)
		return -1;
	jw_arr_open(w);
	geo_num(w, c[0]);
	geo_num(w, c[1]);
	if (h->z)
		geo_num(w, c[2]);
	jw_arr_close(w);
	return 0;
}

/* A count of points and the points: a line string or a ring. */
static int
geo_points(struct geo_rd *r, struct jw *w, const struct geo_hdr *h)
{
	uint32_t	 n, i;
	size_t		 size;

	size = 8 * (size_t)(2 + (h->z ? 1 : 0) + (h->m ? 1 : 0));
	if (geo_u32(r, h->le, &n) == -1 || n > geo_left(r) / size)
		return -1;
	jw_arr_open(w);
	for (i = 0; i < n; i++)
		if (geo_position(r, w, h, false) == -1)
			return -1;
	jw_arr_close(w);
	return 0;
}

/* A count of rings and the rings. */
static int
geo_rings(struct geo_rd *r, struct jw *w, const struct geo_hdr *h)
{
	uint32_t	 n, i;

	if (geo_u32(r, h->le, &n) == -1 || n > geo_left(r) / 4)
		return -1;
	jw_arr_open(w);
	for (i = 0; i < n; i++)
		if (geo_points(r, w, h) == -1)
			return -1;
	jw_arr_close(w);
	return 0;
}

static int	geo_coords(struct geo_rd *, struct jw *, const struct geo_hdr *,
		    bool);

/*
 * The parts of a multi-geometry, each a geometry of the part type and of
 * the parent's dimensions; their coordinates only are written.
 */
static int
geo_parts(struct geo_rd *r, struct jw *w, const struct geo_hdr *h)
{
	struct geo_hdr	 p;
	uint32_t	 n, i;

	if (geo_u32(r, h->le, &n) == -1 || n > geo_left(r) / GEO_PART_MIN)
		return -1;
	jw_arr_open(w);
	for (i = 0; i < n; i++) {
		if (geo_header(r, &p) == -1 || p.type != h->type - 3 ||
		    p.z != h->z || p.m != h->m)
			return -1;
		if (geo_coords(r, w, &p, true) == -1)
			return -1;
	}
	jw_arr_close(w);
	return 0;
}

/*
 * The coordinates member's value of a geometry that is not a collection.
 * An empty point inside a multi-point (part) has no GeoJSON form: it fails.
 */
static int
geo_coords(struct geo_rd *r, struct jw *w, const struct geo_hdr *h,
    bool part)
{
	switch (h->type) {
	case GEO_POINT:
		return geo_position(r, w, h, !part);
	case GEO_LINESTRING:
		return geo_points(r, w, h);
	case GEO_POLYGON:
		return geo_rings(r, w, h);
	case GEO_MULTIPOINT:
	case GEO_MULTILINESTRING:
	case GEO_MULTIPOLYGON:
		return geo_parts(r, w, h);
	default:
		return -1;
	}
}

/*
 * The geometry object whose header is h, inside nest collections (0: the
 * value itself, which alone may carry the srid member).
 */
static int
geo_object(struct geo_rd *r, struct jw *w, const struct geo_hdr *h, int nest)
{
	struct geo_hdr	 p;
	uint32_t	 n, i;

	jw_obj_open(w);
	jw_kstr(w, "type", geo_names[h->type]);
	if (nest == 0 && h->has_srid && h->srid != 0 &&
	    h->srid != GEO_SRID_WGS84)
		jw_kint(w, "srid", (int32_t)h->srid);
	if (h->type != GEO_COLLECTION) {
		jw_key(w, "coordinates");
		if (geo_coords(r, w, h, false) == -1)
			return -1;
	} else {
		if (nest >= GEO_NEST_MAX)
			return -1;
		if (geo_u32(r, h->le, &n) == -1 ||
		    n > geo_left(r) / GEO_PART_MIN)
			return -1;
		jw_key(w, "geometries");
		jw_arr_open(w);
		for (i = 0; i < n; i++) {
			if (geo_header(r, &p) == -1 || p.z != h->z ||
			    p.m != h->m)
				return -1;
			if (geo_object(r, w, &p, nest + 1) == -1)
				return -1;
		}
		jw_arr_close(w);
	}
	jw_obj_close(w);
	return 0;
}

/* What geo_point2d() writes before a point's two coordinates. */
#define GEO_POINT_OPEN		"{\"type\":\"Point\",\"coordinates\":["

/*
 * The commonest value, a little-endian two-dimensional point with SRID
 * 4326, 0 or none (25 or 21 bytes), read at once and written as one piece:
 * exactly what the walk writes for it, at a fraction of the cost.  Returns
 * 0, or -1 with nothing written for any other value, which the walk then
 * reads (an empty point, NaN, included).
 */
static int
geo_point2d(struct jw *w, const char *hex, size_t len)
{
	unsigned char	 b[25];
	/* The opening, two coordinates of GEO_COORD_MAX - 1 bytes, "," "]}". */
	char		 out[sizeof(GEO_POINT_OPEN) + 2 * GEO_COORD_MAX];
	size_t		 n = len / 2, at, k;
	uint32_t	 srid = 0;
	double		 c;
	int		 i;

	if ((n != 21 && n != 25) || hex_decode(b, hex, n) == -1 ||
	    b[0] != 1 || geo_get32(b + 1, true) !=
	    (n == 25 ? GEO_POINT | GEO_FLAG_SRID : GEO_POINT))
		return -1;
	if (n == 25)
		srid = geo_get32(b + 5, true);
	if (srid != 0 && srid != GEO_SRID_WGS84)
		return -1;
	memcpy(out, GEO_POINT_OPEN, sizeof(GEO_POINT_OPEN) - 1);
	at = sizeof(GEO_POINT_OPEN) - 1;
	for (i = 0; i < 2; i++) {
		c = geo_get64(b + n - 16 + 8 * i, true);
		if (!isfinite(c) || (k = geo_coord(out + at, c)) == 0)
			return -1;
		at += k;
		out[at++] = i == 0 ? ',' : ']';
	}
	out[at++] = '}';
	/* jw_num() writes any value whose text the caller vouches for. */
	jw_num(w, out, at);
	return 0;
}

/* One walk over the whole value; -1 unless it is exactly one geometry. */
static int
geo_walk(const char *hex, size_t len, struct jw *w)
{
	struct geo_rd	 r;
	struct geo_hdr	 h;

	r.hex = hex;
	r.n = len / 2;
	r.pos = 0;
	if (geo_header(&r, &h) == -1 || geo_object(&r, w, &h, 0) == -1)
		return -1;
	return r.pos == r.n ? 0 : -1;
}

/*
 * Write the hex EWKB of len bytes as a GeoJSON geometry object; 0, or -1
 * with nothing written if it is malformed or has no GeoJSON form.
 */
int
geo_write(struct jw *w, const char *hex, size_t len)
{
	struct jw_mark	 m;

	if (hex == NULL || len == 0 || len % 2 != 0)
		return -1;
	if (geo_point2d(w, hex, len) == 0)
		return 0;
	jw_mark(w, &m);
	if (geo_walk(hex, len, w) == -1) {
		jw_rewind(w, &m);
		return -1;
	}
	return 0;
}
