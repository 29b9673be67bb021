/*
 * geo.c: PostGIS's hex EWKB as GeoJSON.
 *
 * The vectors come from PostGIS 3.3.2 on PostgreSQL 15: for each geometry
 * g its text (g::text, what libpq returns), its big-endian EWKB (XDR:
 * upper(encode(ST_AsEWKB(g, 'XDR'), 'hex'))) and its ISO WKB (ST_AsBinary,
 * where that differs), each with ST_AsGeoJSON(g, 7, 0) and ST_SRID(g).
 * Our output is compared with PostGIS's structurally: the same text but
 * for numbers, which may differ in the last of the GEO_DECIMALS places
 * (PostGIS prints -1e-8 where we round to 0), and but for our "srid"
 * member, which must be there exactly when the SRID is neither 0 nor 4326.
 * PostGIS 3.3 refuses nested collections; that expectation was assembled
 * by hand from its members' PostGIS output.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "t.h"

struct gcase {
	const char	*name;
	const char	*hex;
	const char	*want;		/* ST_AsGeoJSON(g, 7, 0) */
	int		 srid;		/* ST_SRID(g) */
};

static const struct gcase vectors[] = {
	{ "POINT(1 2)",
	    "0101000020E6100000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    4326 },
	{ "POINT(1 2) XDR",
	    "0020000001000010E63FF00000000000004000000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    4326 },
	{ "POINT(1 2) ISO",
	    "0101000000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    0 },
	{ "SRID=3857;POINT(1 2)",
	    "0101000020110F0000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    3857 },
	{ "SRID=3857;POINT(1 2) XDR",
	    "002000000100000F113FF00000000000004000000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    3857 },
	{ "POINT(1 2) ISO",
	    "0101000000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    0 },
	{ "POINT(1 2)",
	    "0101000000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    0 },
	{ "POINT(1 2) XDR",
	    "00000000013FF00000000000004000000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    0 },
	{ "POINT(-71.0603 42.3583)",
	    "0101000000B9FC87F4DBC351C012143FC6DC2D4540",
	    "{\"type\":\"Point\",\"coordinates\":[-71.0603,42.3583]}",
	    0 },
	{ "POINT(-71.0603 42.3583) XDR",
	    "0000000001C051C3DBF487FCB940452DDCC63F1412",
	    "{\"type\":\"Point\",\"coordinates\":[-71.0603,42.3583]}",
	    0 },
	{ "POINT Z (1 2 3)",
	    "0101000080000000000000F03F00000000000000400000000000000840",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}",
	    0 },
	{ "POINT Z (1 2 3) XDR",
	    "00800000013FF000000000000040000000000000004008000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}",
	    0 },
	{ "POINT Z (1 2 3) ISO",
	    "01E9030000000000000000F03F00000000000000400000000000000840",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}",
	    0 },
	{ "POINT M (1 2 3)",
	    "0101000060E6100000000000000000F03F00000000000000400000000000"
	    "000840",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    4326 },
	{ "POINT M (1 2 3) XDR",
	    "0060000001000010E63FF000000000000040000000000000004008000000"
	    "000000",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    4326 },
	{ "POINT M (1 2 3) ISO",
	    "01D1070000000000000000F03F00000000000000400000000000000840",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    0 },
	{ "POINT ZM (1 2 3 4)",
	    "01010000C0000000000000F03F0000000000000040000000000000084000"
	    "00000000001040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}",
	    0 },
	{ "POINT ZM (1 2 3 4) XDR",
	    "00C00000013FF00000000000004000000000000000400800000000000040"
	    "10000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}",
	    0 },
	{ "POINT ZM (1 2 3 4) ISO",
	    "01B90B0000000000000000F03F0000000000000040000000000000084000"
	    "00000000001040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}",
	    0 },
	{ "POINT EMPTY",
	    "0101000000000000000000F87F000000000000F87F",
	    "{\"type\":\"Point\",\"coordinates\":[]}",
	    0 },
	{ "POINT EMPTY XDR",
	    "00000000017FF80000000000007FF8000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[]}",
	    0 },
	{ "POINT Z EMPTY",
	    "01010000A0E6100000000000000000F87F000000000000F87F0000000000"
	    "00F87F",
	    "{\"type\":\"Point\",\"coordinates\":[]}",
	    4326 },
	{ "POINT Z EMPTY XDR",
	    "00A0000001000010E67FF80000000000007FF80000000000007FF8000000"
	    "000000",
	    "{\"type\":\"Point\",\"coordinates\":[]}",
	    4326 },
	{ "POINT Z EMPTY ISO",
	    "01E9030000000000000000F87F000000000000F87F000000000000F87F",
	    "{\"type\":\"Point\",\"coordinates\":[]}",
	    0 },
	{ "POINT(-1e-8 1.23456789)",
	    "01010000003A8C30E28E7945BE1BDE8342CAC0F33F",
	    "{\"type\":\"Point\",\"coordinates\":[-1e-8,1.2345679]}",
	    0 },
	{ "POINT(-1e-8 1.23456789) XDR",
	    "0000000001BE45798EE2308C3A3FF3C0CA4283DE1B",
	    "{\"type\":\"Point\",\"coordinates\":[-1e-8,1.2345679]}",
	    0 },
	{ "POINT(123456789.12345679 -0.5)",
	    "0101000000756B7E54346F9D41000000000000E0BF",
	    "{\"type\":\"Point\",\"coordinates\":[123456789.1234568,-0.5]}",
	    0 },
	{ "POINT(123456789.12345679 -0.5) XDR",
	    "0000000001419D6F34547E6B75BFE0000000000000",
	    "{\"type\":\"Point\",\"coordinates\":[123456789.1234568,-0.5]}",
	    0 },
	{ "POINT(0.00000005 0.00000015)",
	    "010100000048AFBC9AF2D76A3E76830DF4F521843E",
	    "{\"type\":\"Point\",\"coordinates\":[0,0.0000002]}",
	    0 },
	{ "POINT(0.00000005 0.00000015) XDR",
	    "00000000013E6AD7F29ABCAF483E8421F5F40D8376",
	    "{\"type\":\"Point\",\"coordinates\":[0,0.0000002]}",
	    0 },
	{ "POINT(-0.00000004 -180)",
	    "01010000003A8C30E28E7965BE00000000008066C0",
	    "{\"type\":\"Point\",\"coordinates\":[0,-180]}",
	    0 },
	{ "POINT(-0.00000004 -180) XDR",
	    "0000000001BE65798EE2308C3AC066800000000000",
	    "{\"type\":\"Point\",\"coordinates\":[0,-180]}",
	    0 },
	{ "POINT(1e+20 1e-20)",
	    "0101000000408CB5781DAF15442342920CA19CC73B",
	    "{\"type\":\"Point\",\"coordinates\":[1e+20,1e-20]}",
	    0 },
	{ "POINT(1e+20 1e-20) XDR",
	    "00000000014415AF1D78B58C403BC79CA10C924223",
	    "{\"type\":\"Point\",\"coordinates\":[1e+20,1e-20]}",
	    0 },
	{ "LINESTRING(0 0,1 1,2 3.5)",
	    "010200000003000000000000000000000000000000000000000000000000"
	    "00F03F000000000000F03F00000000000000400000000000000C40",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1],[2,3.5]]"
	    "}",
	    0 },
	{ "LINESTRING(0 0,1 1,2 3.5) XDR",
	    "000000000200000003000000000000000000000000000000003FF0000000"
	    "0000003FF00000000000004000000000000000400C000000000000",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1],[2,3.5]]"
	    "}",
	    0 },
	{ "LINESTRING Z (0 0 1,1 1 2)",
	    "01020000A0E6100000020000000000000000000000000000000000000000"
	    "0000000000F03F000000000000F03F000000000000F03F00000000000000"
	    "40",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0,1],[1,1,2]]}",
	    4326 },
	{ "LINESTRING Z (0 0 1,1 1 2) XDR",
	    "00A0000002000010E600000002000000000000000000000000000000003F"
	    "F00000000000003FF00000000000003FF000000000000040000000000000"
	    "00",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0,1],[1,1,2]]}",
	    4326 },
	{ "LINESTRING Z (0 0 1,1 1 2) ISO",
	    "01EA03000002000000000000000000000000000000000000000000000000"
	    "00F03F000000000000F03F000000000000F03F0000000000000040",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0,1],[1,1,2]]}",
	    0 },
	{ "LINESTRING M (0 0 1,1 1 2)",
	    "010200004002000000000000000000000000000000000000000000000000"
	    "00F03F000000000000F03F000000000000F03F0000000000000040",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}",
	    0 },
	{ "LINESTRING M (0 0 1,1 1 2) XDR",
	    "004000000200000002000000000000000000000000000000003FF0000000"
	    "0000003FF00000000000003FF00000000000004000000000000000",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}",
	    0 },
	{ "LINESTRING M (0 0 1,1 1 2) ISO",
	    "01D207000002000000000000000000000000000000000000000000000000"
	    "00F03F000000000000F03F000000000000F03F0000000000000040",
	    "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}",
	    0 },
	{ "LINESTRING EMPTY",
	    "010200000000000000",
	    "{\"type\":\"LineString\",\"coordinates\":[]}",
	    0 },
	{ "LINESTRING EMPTY XDR",
	    "000000000200000000",
	    "{\"type\":\"LineString\",\"coordinates\":[]}",
	    0 },
	{ "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 3,3 3...",
	    "0103000020E6100000020000000500000000000000000000000000000000"
	    "000000000000000000244000000000000000000000000000002440000000"
	    "000000244000000000000000000000000000002440000000000000000000"
	    "000000000000000400000000000000000000400000000000000040000000"
	    "000000004000000000000008400000000000000840000000000000084000"
	    "000000000000400000000000000040",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],["
	    "0,10],[0,0]],[[2,2],[2,3],[3,3],[2,2]]]}",
	    4326 },
	{ "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 3,3 3... XDR",
	    "0020000003000010E6000000020000000500000000000000000000000000"
	    "000000402400000000000000000000000000004024000000000000402400"
	    "000000000000000000000000004024000000000000000000000000000000"
	    "000000000000000000000440000000000000004000000000000000400000"
	    "000000000040080000000000004008000000000000400800000000000040"
	    "000000000000004000000000000000",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],["
	    "0,10],[0,0]],[[2,2],[2,3],[3,3],[2,2]]]}",
	    4326 },
	{ "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 3,3 3... ISO",
	    "010300000002000000050000000000000000000000000000000000000000"
	    "000000000024400000000000000000000000000000244000000000000024"
	    "400000000000000000000000000000244000000000000000000000000000"
	    "000000040000000000000000000040000000000000004000000000000000"
	    "400000000000000840000000000000084000000000000008400000000000"
	    "0000400000000000000040",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],["
	    "0,10],[0,0]],[[2,2],[2,3],[3,3],[2,2]]]}",
	    0 },
	{ "POLYGON Z ((0 0 1,1 0 1,1 1 1,0 0 1))",
	    "010300008001000000040000000000000000000000000000000000000000"
	    "0000000000F03F000000000000F03F0000000000000000000000000000F0"
	    "3F000000000000F03F000000000000F03F000000000000F03F0000000000"
	    "0000000000000000000000000000000000F03F",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0,1],[1,0,1],[1,1,1"
	    "],[0,0,1]]]}",
	    0 },
	{ "POLYGON Z ((0 0 1,1 0 1,1 1 1,0 0 1)) XDR",
	    "00800000030000000100000004000000000000000000000000000000003F"
	    "F00000000000003FF000000000000000000000000000003FF00000000000"
	    "003FF00000000000003FF00000000000003FF00000000000000000000000"
	    "00000000000000000000003FF0000000000000",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0,1],[1,0,1],[1,1,1"
	    "],[0,0,1]]]}",
	    0 },
	{ "POLYGON Z ((0 0 1,1 0 1,1 1 1,0 0 1)) ISO",
	    "01EB03000001000000040000000000000000000000000000000000000000"
	    "0000000000F03F000000000000F03F0000000000000000000000000000F0"
	    "3F000000000000F03F000000000000F03F000000000000F03F0000000000"
	    "0000000000000000000000000000000000F03F",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0,1],[1,0,1],[1,1,1"
	    "],[0,0,1]]]}",
	    0 },
	{ "POLYGON EMPTY",
	    "010300000000000000",
	    "{\"type\":\"Polygon\",\"coordinates\":[]}",
	    0 },
	{ "POLYGON EMPTY XDR",
	    "000000000300000000",
	    "{\"type\":\"Polygon\",\"coordinates\":[]}",
	    0 },
	{ "MULTIPOINT((1 2),(3 4))",
	    "0104000000020000000101000000000000000000F03F0000000000000040"
	    "010100000000000000000008400000000000001040",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}",
	    0 },
	{ "MULTIPOINT((1 2),(3 4)) XDR",
	    "00000000040000000200000000013FF00000000000004000000000000000"
	    "000000000140080000000000004010000000000000",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}",
	    0 },
	{ "MULTIPOINT Z ((1 2 3),(4 5 6))",
	    "0104000080020000000101000080000000000000F03F0000000000000040"
	    "000000000000084001010000800000000000001040000000000000144000"
	    "00000000001840",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2,3],[4,5,6]]}",
	    0 },
	{ "MULTIPOINT Z ((1 2 3),(4 5 6)) XDR",
	    "00800000040000000200800000013FF00000000000004000000000000000"
	    "400800000000000000800000014010000000000000401400000000000040"
	    "18000000000000",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2,3],[4,5,6]]}",
	    0 },
	{ "MULTIPOINT Z ((1 2 3),(4 5 6)) ISO",
	    "01EC0300000200000001E9030000000000000000F03F0000000000000040"
	    "000000000000084001E90300000000000000001040000000000000144000"
	    "00000000001840",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2,3],[4,5,6]]}",
	    0 },
	{ "MULTIPOINT EMPTY",
	    "010400000000000000",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[]}",
	    0 },
	{ "MULTIPOINT EMPTY XDR",
	    "000000000400000000",
	    "{\"type\":\"MultiPoint\",\"coordinates\":[]}",
	    0 },
	{ "SRID=2154;MULTILINESTRING((0 0,1 1),(2 2,3 3,4 5))",
	    "01050000206A080000020000000102000000020000000000000000000000"
	    "0000000000000000000000000000F03F000000000000F03F010200000003"
	    "000000000000000000004000000000000000400000000000000840000000"
	    "000000084000000000000010400000000000001440",
	    "{\"type\":\"MultiLineString\",\"coordinates\":[[[0,0],[1,1]],["
	    "[2,2],[3,3],[4,5]]]}",
	    2154 },
	{ "SRID=2154;MULTILINESTRING((0 0,1 1),(2 2,3 3,4 5)) XDR",
	    "00200000050000086A000000020000000002000000020000000000000000"
	    "00000000000000003FF00000000000003FF0000000000000000000000200"
	    "000003400000000000000040000000000000004008000000000000400800"
	    "000000000040100000000000004014000000000000",
	    "{\"type\":\"MultiLineString\",\"coordinates\":[[[0,0],[1,1]],["
	    "[2,2],[3,3],[4,5]]]}",
	    2154 },
	{ "MULTILINESTRING((0 0,1 1),(2 2,3 3,4 5)) ISO",
	    "010500000002000000010200000002000000000000000000000000000000"
	    "00000000000000000000F03F000000000000F03F01020000000300000000"
	    "000000000000400000000000000040000000000000084000000000000008"
	    "4000000000000010400000000000001440",
	    "{\"type\":\"MultiLineString\",\"coordinates\":[[[0,0],[1,1]],["
	    "[2,2],[3,3],[4,5]]]}",
	    0 },
	{ "MULTILINESTRING EMPTY",
	    "010500000000000000",
	    "{\"type\":\"MultiLineString\",\"coordinates\":[]}",
	    0 },
	{ "MULTILINESTRING EMPTY XDR",
	    "000000000500000000",
	    "{\"type\":\"MultiLineString\",\"coordinates\":[]}",
	    0 },
	{ "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(1 1,1...",
	    "0106000020E6100000020000000103000000030000000500000000000000"
	    "000000000000000000000000000000000000244000000000000000000000"
	    "000000002440000000000000244000000000000000000000000000002440"
	    "0000000000000000000000000000000004000000000000000000F03F0000"
	    "00000000F03F000000000000F03F00000000000000400000000000000040"
	    "0000000000000040000000000000F03F000000000000F03F040000000000"
	    "000000001440000000000000144000000000000014400000000000001840"
	    "000000000000184000000000000018400000000000001440000000000000"
	    "144001030000000100000004000000000000000000344000000000000034"
	    "400000000000003E4000000000000034400000000000003E400000000000"
	    "003E4000000000000034400000000000003440",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[10,0],[10"
	    ",10],[0,10],[0,0]],[[1,1],[1,2],[2,2],[1,1]],[[5,5],[5,6"
	    "],[6,6],[5,5]]],[[[20,20],[30,20],[30,30],[20,20]]]]}",
	    4326 },
	{ "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(1 1,1... XDR",
	    "0020000006000010E6000000020000000003000000030000000500000000"
	    "000000000000000000000000402400000000000000000000000000004024"
	    "000000000000402400000000000000000000000000004024000000000000"
	    "00000000000000000000000000000000000000043FF00000000000003FF0"
	    "0000000000003FF000000000000040000000000000004000000000000000"
	    "40000000000000003FF00000000000003FF0000000000000000000044014"
	    "000000000000401400000000000040140000000000004018000000000000"
	    "401800000000000040180000000000004014000000000000401400000000"
	    "000000000000030000000100000004403400000000000040340000000000"
	    "00403E0000000000004034000000000000403E000000000000403E000000"
	    "00000040340000000000004034000000000000",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[10,0],[10"
	    ",10],[0,10],[0,0]],[[1,1],[1,2],[2,2],[1,1]],[[5,5],[5,6"
	    "],[6,6],[5,5]]],[[[20,20],[30,20],[30,30],[20,20]]]]}",
	    4326 },
	{ "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(1 1,1... ISO",
	    "010600000002000000010300000003000000050000000000000000000000"
	    "000000000000000000000000000024400000000000000000000000000000"
	    "244000000000000024400000000000000000000000000000244000000000"
	    "00000000000000000000000004000000000000000000F03F000000000000"
	    "F03F000000000000F03F0000000000000040000000000000004000000000"
	    "00000040000000000000F03F000000000000F03F04000000000000000000"
	    "144000000000000014400000000000001440000000000000184000000000"
	    "000018400000000000001840000000000000144000000000000014400103"
	    "000000010000000400000000000000000034400000000000003440000000"
	    "0000003E4000000000000034400000000000003E400000000000003E4000"
	    "000000000034400000000000003440",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[10,0],[10"
	    ",10],[0,10],[0,0]],[[1,1],[1,2],[2,2],[1,1]],[[5,5],[5,6"
	    "],[6,6],[5,5]]],[[[20,20],[30,20],[30,30],[20,20]]]]}",
	    0 },
	{ "MULTIPOLYGON ZM (((0 0 1 9,1 0 1 9,1 1 1 9,0 0...",
	    "01060000C00100000001030000C001000000040000000000000000000000"
	    "0000000000000000000000000000F03F0000000000002240000000000000"
	    "F03F0000000000000000000000000000F03F000000000000224000000000"
	    "0000F03F000000000000F03F000000000000F03F00000000000022400000"
	    "0000000000000000000000000000000000000000F03F0000000000002240",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0,1],[1,0,1],"
	    "[1,1,1],[0,0,1]]]]}",
	    0 },
	{ "MULTIPOLYGON ZM (((0 0 1 9,1 0 1 9,1 1 1 9,0 0... XDR",
	    "00C00000060000000100C000000300000001000000040000000000000000"
	    "00000000000000003FF000000000000040220000000000003FF000000000"
	    "000000000000000000003FF000000000000040220000000000003FF00000"
	    "000000003FF00000000000003FF000000000000040220000000000000000"
	    "00000000000000000000000000003FF00000000000004022000000000000",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0,1],[1,0,1],"
	    "[1,1,1],[0,0,1]]]]}",
	    0 },
	{ "MULTIPOLYGON ZM (((0 0 1 9,1 0 1 9,1 1 1 9,0 0... ISO",
	    "01BE0B00000100000001BB0B000001000000040000000000000000000000"
	    "0000000000000000000000000000F03F0000000000002240000000000000"
	    "F03F0000000000000000000000000000F03F000000000000224000000000"
	    "0000F03F000000000000F03F000000000000F03F00000000000022400000"
	    "0000000000000000000000000000000000000000F03F0000000000002240",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0,1],[1,0,1],"
	    "[1,1,1],[0,0,1]]]]}",
	    0 },
	{ "MULTIPOLYGON EMPTY",
	    "010600000000000000",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[]}",
	    0 },
	{ "MULTIPOLYGON EMPTY XDR",
	    "000000000600000000",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[]}",
	    0 },
	{ "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1...",
	    "0107000020E6100000030000000101000000000000000000F03F00000000"
	    "000000400102000000020000000000000000000000000000000000000000"
	    "0000000000F03F000000000000F03F010300000001000000040000000000"
	    "0000000000000000000000000000000000000000F03F0000000000000000"
	    "000000000000F03F000000000000F03F0000000000000000000000000000"
	    "0000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Poin"
	    "t\",\"coordinates\":[1,2]},{\"type\":\"LineString\",\"coordinate"
	    "s\":[[0,0],[1,1]]},{\"type\":\"Polygon\",\"coordinates\":[[[0,0"
	    "],[1,0],[1,1],[0,0]]]}]}",
	    4326 },
	{ "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1... XDR",
	    "0020000007000010E60000000300000000013FF000000000000040000000"
	    "00000000000000000200000002000000000000000000000000000000003F"
	    "F00000000000003FF0000000000000000000000300000001000000040000"
	    "00000000000000000000000000003FF00000000000000000000000000000"
	    "3FF00000000000003FF00000000000000000000000000000000000000000"
	    "0000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Poin"
	    "t\",\"coordinates\":[1,2]},{\"type\":\"LineString\",\"coordinate"
	    "s\":[[0,0],[1,1]]},{\"type\":\"Polygon\",\"coordinates\":[[[0,0"
	    "],[1,0],[1,1],[0,0]]]}]}",
	    4326 },
	{ "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1... ISO",
	    "0107000000030000000101000000000000000000F03F0000000000000040"
	    "010200000002000000000000000000000000000000000000000000000000"
	    "00F03F000000000000F03F01030000000100000004000000000000000000"
	    "00000000000000000000000000000000F03F000000000000000000000000"
	    "0000F03F000000000000F03F00000000000000000000000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Poin"
	    "t\",\"coordinates\":[1,2]},{\"type\":\"LineString\",\"coordinate"
	    "s\":[[0,0],[1,1]]},{\"type\":\"Polygon\",\"coordinates\":[[[0,0"
	    "],[1,0],[1,1],[0,0]]]}]}",
	    0 },
	{ "GEOMETRYCOLLECTION EMPTY",
	    "010700000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[]}",
	    0 },
	{ "GEOMETRYCOLLECTION EMPTY XDR",
	    "000000000700000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[]}",
	    0 },
	{ "GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 ... (by hand)",
	    "0107000000030000000107000000010000000101000000000000000000F0"
	    "3F0000000000000040010700000001000000010700000001000000010200"
	    "00000200000000000000000000000000000000000000000000000000F03F"
	    "000000000000F03F01040000000100000001010000000000000000001440"
	    "0000000000001840",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Geom"
	    "etryCollection\",\"geometries\":[{\"type\":\"Point\",\"coordinat"
	    "es\":[1,2]}]},{\"type\":\"GeometryCollection\",\"geometries\":["
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Line"
	    "String\",\"coordinates\":[[0,0],[1,1]]}]}]},{\"type\":\"MultiP"
	    "oint\",\"coordinates\":[[5,6]]}]}",
	    0 },
	{ "GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 ... XDR (by hand)",
	    "00000000070000000300000000070000000100000000013FF00000000000"
	    "004000000000000000000000000700000001000000000700000001000000"
	    "000200000002000000000000000000000000000000003FF0000000000000"
	    "3FF000000000000000000000040000000100000000014014000000000000"
	    "4018000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Geom"
	    "etryCollection\",\"geometries\":[{\"type\":\"Point\",\"coordinat"
	    "es\":[1,2]}]},{\"type\":\"GeometryCollection\",\"geometries\":["
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Line"
	    "String\",\"coordinates\":[[0,0],[1,1]]}]}]},{\"type\":\"MultiP"
	    "oint\",\"coordinates\":[[5,6]]}]}",
	    0 },
	{ "GEOMETRYCOLLECTION Z (POINT Z (1 2 3),MULTIPOL...",
	    "0107000080020000000101000080000000000000F03F0000000000000040"
	    "000000000000084001060000800100000001030000800100000004000000"
	    "000000000000000000000000000000000000000000000000000000000000"
	    "F03F00000000000000000000000000000000000000000000F03F00000000"
	    "0000F03F0000000000000000000000000000000000000000000000000000"
	    "000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Poin"
	    "t\",\"coordinates\":[1,2,3]},{\"type\":\"MultiPolygon\",\"coordi"
	    "nates\":[[[[0,0,0],[1,0,0],[1,1,0],[0,0,0]]]]}]}",
	    0 },
	{ "GEOMETRYCOLLECTION Z (POINT Z (1 2 3),MULTIPOL... XDR",
	    "00800000070000000200800000013FF00000000000004000000000000000"
	    "400800000000000000800000060000000100800000030000000100000004"
	    "0000000000000000000000000000000000000000000000003FF000000000"
	    "0000000000000000000000000000000000003FF00000000000003FF00000"
	    "000000000000000000000000000000000000000000000000000000000000"
	    "000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Poin"
	    "t\",\"coordinates\":[1,2,3]},{\"type\":\"MultiPolygon\",\"coordi"
	    "nates\":[[[[0,0,0],[1,0,0],[1,1,0],[0,0,0]]]]}]}",
	    0 },
	{ "GEOMETRYCOLLECTION Z (POINT Z (1 2 3),MULTIPOL... ISO",
	    "01EF0300000200000001E9030000000000000000F03F0000000000000040"
	    "000000000000084001EE0300000100000001EB0300000100000004000000"
	    "000000000000000000000000000000000000000000000000000000000000"
	    "F03F00000000000000000000000000000000000000000000F03F00000000"
	    "0000F03F0000000000000000000000000000000000000000000000000000"
	    "000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Poin"
	    "t\",\"coordinates\":[1,2,3]},{\"type\":\"MultiPolygon\",\"coordi"
	    "nates\":[[[[0,0,0],[1,0,0],[1,1,0],[0,0,0]]]]}]}",
	    0 },
	{ "SRID=3857;GEOMETRYCOLLECTION(MULTIPOLYGON(((0 0,1 0,1 1,...",
	    "0107000020110F0000020000000106000000010000000103000000020000"
	    "000400000000000000000000000000000000000000000000000000F03F00"
	    "00000000000000000000000000F03F000000000000F03F00000000000000"
	    "000000000000000000040000009A9999999999B93F9A9999999999B93F9A"
	    "9999999999C93F9A9999999999B93F9A9999999999C93F9A9999999999C9"
	    "3F9A9999999999B93F9A9999999999B93F01050000000100000001020000"
	    "000200000000000000000000000000000000000000000000000000F03F00"
	    "0000000000F03F",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Mult"
	    "iPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]],[[0."
	    "1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]]]},{\"type\":\"MultiL"
	    "ineString\",\"coordinates\":[[[0,0],[1,1]]]}]}",
	    3857 },
	{ "SRID=3857;GEOMETRYCOLLECTION(MULTIPOLYGON(((0 0,1 0,1 1,... XDR",
	    "002000000700000F11000000020000000006000000010000000003000000"
	    "0200000004000000000000000000000000000000003FF000000000000000"
	    "000000000000003FF00000000000003FF000000000000000000000000000"
	    "000000000000000000000000043FB999999999999A3FB999999999999A3F"
	    "C999999999999A3FB999999999999A3FC999999999999A3FC99999999999"
	    "9A3FB999999999999A3FB999999999999A00000000050000000100000000"
	    "0200000002000000000000000000000000000000003FF00000000000003F"
	    "F0000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Mult"
	    "iPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]],[[0."
	    "1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]]]},{\"type\":\"MultiL"
	    "ineString\",\"coordinates\":[[[0,0],[1,1]]]}]}",
	    3857 },
	{ "GEOMETRYCOLLECTION(MULTIPOLYGON(((0 0,1 0,1 1,... ISO",
	    "010700000002000000010600000001000000010300000002000000040000"
	    "0000000000000000000000000000000000000000000000F03F0000000000"
	    "000000000000000000F03F000000000000F03F0000000000000000000000"
	    "0000000000040000009A9999999999B93F9A9999999999B93F9A99999999"
	    "99C93F9A9999999999B93F9A9999999999C93F9A9999999999C93F9A9999"
	    "999999B93F9A9999999999B93F0105000000010000000102000000020000"
	    "0000000000000000000000000000000000000000000000F03F0000000000"
	    "00F03F",
	    "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Mult"
	    "iPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]],[[0."
	    "1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]]]},{\"type\":\"MultiL"
	    "ineString\",\"coordinates\":[[[0,0],[1,1]]]}]}",
	    0 },
	{ "POINT(1 2) geography",
	    "0101000020E6100000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}",
	    4326 },
	{ "LINESTRING(-122.33 47.61,-73.99 40.73) geography",
	    "0102000020E61000000200000085EB51B81E955EC0AE47E17A14CE47408F"
	    "C2F5285C7F52C03D0AD7A3705D4440",
	    "{\"type\":\"LineString\",\"coordinates\":[[-122.33,47.61],[-73"
	    ".99,40.73]]}",
	    4326 },
	{ "POLYGON((0 0,1 0,1 1,0 0)) geography",
	    "0103000020E6100000010000000400000000000000000000000000000000"
	    "000000000000000000F03F0000000000000000000000000000F03F000000"
	    "000000F03F00000000000000000000000000000000",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0"
	    "]]]}",
	    4326 },
	{ "SRID=4269;POINT(-100 40) geography",
	    "0101000020AD10000000000000000059C00000000000004440",
	    "{\"type\":\"Point\",\"coordinates\":[-100,40]}",
	    4269 },
	{ "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3... geography",
	    "0106000020E6100000020000000103000000010000000400000000000000"
	    "000000000000000000000000000000000000F03F00000000000000000000"
	    "00000000F03F000000000000F03F00000000000000000000000000000000"
	    "010300000001000000040000000000000000000040000000000000004000"
	    "000000000008400000000000000040000000000000084000000000000008"
	    "4000000000000000400000000000000040",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1"
	    "],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}",
	    4326 },
};

#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

/*
 * True if got and want are the same compact JSON but for numbers, which
 * must agree to within one unit in the GEO_DECIMALS-th place.
 */
static bool
same_json(const char *got, const char *want)
{
	char	*ge, *we;
	double	 a, b;

	while (*got != '\0' && *want != '\0') {
		if ((*got == '-' || isdigit((unsigned char)*got)) &&
		    (*want == '-' || isdigit((unsigned char)*want))) {
			a = strtod(got, &ge);
			b = strtod(want, &we);
			if (ge == got || we == want ||
			    fabs(a - b) > 1.0001e-7 + 1e-15 * fabs(b))
				return false;
			got = ge;
			want = we;
			continue;
		}
		if (*got++ != *want++)
			return false;
	}
	return *got == '\0' && *want == '\0';
}

/*
 * True if every number in s is as documented: at most GEO_DECIMALS
 * places, no trailing zero after the point, never -0, an exponent only
 * from 1e15 on.
 */
static bool
numbers_ok(const char *s)
{
	const char	*p, *dot, *end;
	bool		 instr = false;

	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			instr = !instr;
		if (instr || !(*p == '-' || isdigit((unsigned char)*p)))
			continue;
		for (end = p; *end != '\0' && strchr("-+.eE0123456789",
		    *end) != NULL; end++)
			continue;
		if (end - p == 2 && p[0] == '-' && p[1] == '0')
			return false;
		if (memchr(p, 'e', (size_t)(end - p)) != NULL) {
			if (fabs(strtod(p, NULL)) < 1e15)
				return false;
		} else if ((dot = memchr(p, '.', (size_t)(end - p))) != NULL) {
			if (end - dot - 1 > GEO_DECIMALS || end[-1] == '0')
				return false;
		}
		p = end - 1;
	}
	return true;
}

/* Write hex as the one element of an array; the writer is returned. */
static int
run(struct jw *w, const char *hex, size_t len)
{
	int	 rc;

	jw_init(w);
	jw_arr_open(w);
	rc = geo_write(w, hex, len);
	jw_arr_close(w);
	return rc;
}

static void
test_vectors(void)
{
	struct jw	 w;
	struct error	 err;
	const char	*got;
	char		 srid[32], *body;
	size_t		 i, n;
	int		 ntok;
	bool		 ok;

	for (i = 0; i < NVECTORS; i++) {
		const struct gcase *c = &vectors[i];

		ok = run(&w, c->hex, strlen(c->hex)) == 0 && !w.failed &&
		    json_check(w.buf, w.len, &ntok, &err) == 0 &&
		    numbers_ok(w.buf);
		got = w.buf + 1;
		body = NULL;
		if (ok) {
			/* Our srid member follows the type; cut it out. */
			body = strndup(got, w.len - 2);
			n = strlen("{\"type\":\"") + strcspn(got +
			    strlen("{\"type\":\""), "\"") + 1;
			snprintf(srid, sizeof(srid), ",\"srid\":%d", c->srid);
			if (c->srid != 0 && c->srid != 4326) {
				ok = body != NULL &&
				    strncmp(body + n, srid, strlen(srid)) == 0;
				if (ok)
					memmove(body + n, body + n +
					    strlen(srid), strlen(body + n +
					    strlen(srid)) + 1);
			} else
				ok = body != NULL &&
				    strstr(body, "\"srid\"") == NULL;
			ok = ok && same_json(body, c->want);
		}
		T_OK(ok, "%s: like ST_AsGeoJSON (got %s)", c->name,
		    w.failed ? "failure" : w.buf);
		free(body);
		jw_free(&w);
	}
}

/* Our own decisions, exactly. */
static const struct {
	const char	*name;
	const char	*hex;
	const char	*want;
} exact[] = {
	{ "SRID 3857 is a member after the type",
	    "0101000020110F0000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"srid\":3857,\"coordinates\":[1,2]}" },
	{ "SRID 4326 is not",
	    "0101000020E6100000000000000000F03F0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}" },
	{ "geography SRID=4269 keeps its SRID",
	    "0101000020AD100000000000000000"
	    "59C00000000000004440",
	    "{\"type\":\"Point\",\"srid\":4269,\"coordinates\":[-100,40]}" },
	{ "the SRID of the outermost object only",
	    "0107000020110F000001000000"
	    "0101000020110F0000000000000000F03F0000000000000040",
	    "{\"type\":\"GeometryCollection\",\"srid\":3857,"
	    "\"geometries\":[{\"type\":\"Point\",\"coordinates\":[1,2]}]}" },
	{ "rounding to 7 places, no -0",
	    "0101000000A11B5BD7A3D745BE00000000008066C0",
	    "{\"type\":\"Point\",\"coordinates\":[0,-180]}" },
	{ "7 places, trailing zeros dropped",
	    "01010000003A8C30E28E7945BE1BDE8342CAC0F33F",
	    "{\"type\":\"Point\",\"coordinates\":[0,1.2345679]}" },
	{ "large values without exponent below 1e15",
	    "0101000000756B7E54346F9D41000000000000E0BF",
	    "{\"type\":\"Point\",\"coordinates\":[123456789.1234568,-0.5]}" },
	{ "1e20 keeps its exponent, 1e-20 is 0",
	    "0101000000408CB5781DAF15442342920CA19CC73B",
	    "{\"type\":\"Point\",\"coordinates\":[1e+20,0]}" },
	{ "M is dropped",
	    "0101000040000000000000F03F00000000000000400000000000000840",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}" },
	{ "ZM keeps Z",
	    "01B90B0000000000000000F03F00000000000000400000000000000840"
	    "0000000000001040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2,3]}" },
	{ "POINT EMPTY",
	    "0101000000000000000000F87F000000000000F87F",
	    "{\"type\":\"Point\",\"coordinates\":[]}" },
	{ "empty members of a collection stay (PostGIS drops them)",
	    "0107000000030000000101000000000000000000F87F000000000000F87F"
	    "010200000000000000010300000000000000",
	    "{\"type\":\"GeometryCollection\",\"geometries\":["
	    "{\"type\":\"Point\",\"coordinates\":[]},"
	    "{\"type\":\"LineString\",\"coordinates\":[]},"
	    "{\"type\":\"Polygon\",\"coordinates\":[]}]}" },
	{ "lower-case hex",
	    "0101000020e6100000000000000000f03f0000000000000040",
	    "{\"type\":\"Point\",\"coordinates\":[1,2]}" },
};

static void
test_exact(void)
{
	struct jw	 w;
	size_t		 i;
	char		 want[512];

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		snprintf(want, sizeof(want), "[%s]", exact[i].want);
		T_OK(run(&w, exact[i].hex, strlen(exact[i].hex)) == 0 &&
		    !w.failed && strcmp(w.buf, want) == 0,
		    "%s: %s (got %s)", exact[i].name, exact[i].want,
		    w.failed ? "failure" : w.buf);
		jw_free(&w);
	}
}

/*
 * Every proper prefix of every vector is refused, nothing written and no
 * byte read past it: the prefix is copied to a buffer of its exact size,
 * without a NUL, for AddressSanitizer to watch.
 */
static void
test_truncated(void)
{
	struct jw	 w;
	size_t		 i, len, cut, bad;
	char		*p;

	for (i = 0; i < NVECTORS; i++) {
		len = strlen(vectors[i].hex);
		bad = 0;
		for (cut = 0; cut < len; cut++) {
			if ((p = malloc(cut > 0 ? cut : 1)) == NULL)
				abort();
			memcpy(p, vectors[i].hex, cut);
			if (run(&w, p, cut) != -1 || w.failed ||
			    strcmp(w.buf, "[]") != 0)
				bad++;
			free(p);
			jw_free(&w);
		}
		T_OK(bad == 0, "%s: all %zu prefixes refused (%zu not)",
		    vectors[i].name, len, bad);
	}
}

/* Malformed or without a GeoJSON form: refused, nothing written. */
static const struct {
	const char	*name;
	const char	*hex;
} bad[] = {
	{ "empty", "" },
	{ "odd length", "010100000000000000000000F03F00000000000000400" },
	{ "not hex", "0101000000000000000000F03F000000000000004G" },
	{ "a space", "0101000000 00000000000F03F0000000000000040" },
	{ "byte order 2", "0201000000000000000000F03F0000000000000040" },
	{ "type 0", "010000000000000000" },
	{ "CircularString (8)", "010800000000000000" },
	{ "TIN (16)", "011000000000000000" },
	{ "ISO 4001", "01A10F0000000000000000F03F0000000000000040" },
	{ "unknown flag 0x10000000",
	    "0101000010000000000000F03F0000000000000040" },
	{ "a trailing byte",
	    "0101000000000000000000F03F000000000000004000" },
	{ "SRID flag without the SRID", "0101000020E610" },
	{ "point count 2^32-1", "0102000000FFFFFFFF" },
	{ "point count 2^31 with a point",
	    "010200000000000080000000000000F03F0000000000000040" },
	{ "point count one too many",
	    "010200000002000000000000000000F03F0000000000000040" },
	{ "ring count 2^32-1", "0103000000FFFFFFFF" },
	{ "multipoint count 2^32-1", "0104000000FFFFFFFF" },
	{ "collection count 2^32-1", "0107000000FFFFFFFF" },
	{ "collection count 2^32-1, big-endian", "0000000007FFFFFFFF" },
	{ "a LineString in a MultiPoint",
	    "010400000001000000010200000000000000" },
	{ "a Z point in a 2D MultiPoint",
	    "0104000000010000000101000080000000000000F03F0000000000000040"
	    "0000000000000840" },
	{ "a 2D point in a Z collection",
	    "0107000080010000000101000000000000000000F03F0000000000000040" },
	{ "MULTIPOINT(EMPTY,(1 2)) (PostGIS writes [,[1,2]])",
	    "0104000000020000000101000000000000000000F87F000000000000F87F"
	    "0101000000000000000000F03F0000000000000040" },
	{ "NaN in a LineString",
	    "010200000001000000000000000000F87F000000000000F87F" },
	{ "one NaN of two",
	    "0101000000000000000000F87F0000000000000040" },
	{ "Infinity", "0101000000000000000000F07F0000000000000040" },
	{ "-Infinity", "0101000000000000000000F0FF0000000000000040" },
	{ "text, not EWKB", "POINT(1 2)" },
};

static void
test_bad(void)
{
	struct jw	 w;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_OK(run(&w, bad[i].hex, strlen(bad[i].hex)) == -1 &&
		    !w.failed && strcmp(w.buf, "[]") == 0,
		    "%s: refused (got %s)", bad[i].name,
		    w.failed ? "failure" : w.buf);
		jw_free(&w);
	}
	jw_init(&w);
	T_OK(geo_write(&w, NULL, 0) == -1 && w.len == 0, "NULL: refused");
	jw_free(&w);
}

/* n collections in one another around POINT(1 2), as hex in b. */
static void
nested(char *b, size_t size, int n)
{
	int	 i;

	b[0] = '\0';
	for (i = 0; i < n; i++)
		strlcat(b, "010700000001000000", size);
	strlcat(b, "0101000000000000000000F03F0000000000000040", size);
}

static void
test_nesting(void)
{
	struct jw	 w;
	struct error	 err;
	char		 b[1024];
	int		 ntok, rc;

	nested(b, sizeof(b), GEO_NEST_MAX);
	rc = run(&w, b, strlen(b));
	T_OK(rc == 0 && !w.failed && json_check(w.buf, w.len, &ntok,
	    &err) == 0, "%d collections deep: GeoJSON", GEO_NEST_MAX);
	jw_free(&w);
	nested(b, sizeof(b), GEO_NEST_MAX + 1);
	rc = run(&w, b, strlen(b));
	T_OK(rc == -1 && !w.failed && strcmp(w.buf, "[]") == 0,
	    "%d collections deep: refused", GEO_NEST_MAX + 1);
	jw_free(&w);
	/* The deepest GeoJSON fits the embedding depth. */
	T_OK(2 * GEO_NEST_MAX + 5 <= EMBED_DEPTH_MAX,
	    "GEO_NEST_MAX keeps GeoJSON within EMBED_DEPTH_MAX");
}

/*
 * A limit stops the writer (sticky failure) and nothing beyond the limit
 * is written: geo.c writes through jw only.
 */
static void
test_writer(void)
{
	static const char pt[] =
	    "0101000020E6100000000000000000F03F0000000000000040";
	static const char ptx[] =
	    "0101000020E6100000000000000000F03F000000000000004000";
	struct jw	 w;
	size_t		 lim;
	bool		 ok = true;

	for (lim = 1; lim < 36; lim++) {
		jw_init(&w);
		jw_limit(&w, lim);
		geo_write(&w, pt, strlen(pt));
		if (!w.failed || w.len > lim)
			ok = false;
		jw_free(&w);
	}
	T_OK(ok, "a limit below the GeoJSON's 36 bytes fails the writer");
	jw_init(&w);
	jw_limit(&w, 36);
	geo_write(&w, pt, strlen(pt));
	T_OK(!w.failed && w.len == 36, "a limit of 36 bytes holds it");
	jw_free(&w);

	/*
	 * A value found malformed only at its end (a byte too many) is
	 * written, then taken back: the writer is as before, even where the
	 * half-written value broke the limit.
	 */
	for (lim = 3; lim < 60; lim++) {
		jw_init(&w);
		jw_limit(&w, lim);
		jw_arr_open(&w);
		jw_int(&w, 1);
		if (geo_write(&w, ptx, strlen(ptx)) != -1 || w.failed ||
		    strcmp(w.buf, "[1") != 0)
			ok = false;
		jw_arr_close(&w);
		if (w.failed || strcmp(w.buf, "[1]") != 0)
			ok = false;
		jw_free(&w);
	}
	T_OK(ok, "a value refused at its last byte leaves the writer as was");
}

/*
 * Every single-byte change of every vector: GeoJSON that is valid JSON,
 * or a refusal with nothing written; never a crash (AddressSanitizer).
 */
static void
test_mutations(void)
{
	static const char digits[] = "0F7";
	struct jw	 w;
	struct error	 err;
	size_t		 i, j, k, len, accepted = 0, refused = 0, wrong = 0;
	char		*p;
	int		 ntok, rc;

	for (i = 0; i < NVECTORS; i++) {
		len = strlen(vectors[i].hex);
		if ((p = malloc(len)) == NULL)
			abort();
		for (j = 0; j < len; j++)
			for (k = 0; k < sizeof(digits) - 1; k++) {
				memcpy(p, vectors[i].hex, len);
				p[j] = digits[k];
				rc = run(&w, p, len);
				if (rc == 0 && !w.failed && json_check(w.buf,
				    w.len, &ntok, &err) == 0)
					accepted++;
				else if (rc == -1 && !w.failed &&
				    strcmp(w.buf, "[]") == 0)
					refused++;
				else
					wrong++;
				jw_free(&w);
			}
		free(p);
	}
	T_OK(wrong == 0 && accepted > 0 && refused > 0,
	    "byte changes: %zu accepted as valid JSON, %zu refused, %zu wrong",
	    accepted, refused, wrong);
}

/* What geo_coord() must write: printf's %.7f trimmed, or %.17g. */
static void
coord_ref(char *b, double v)
{
	int	 n;

	if (fabs(v) >= 1e15) {
		snprintf(b, GEO_COORD_MAX, "%.17g", v);
		return;
	}
	n = snprintf(b, GEO_COORD_MAX, "%.*f", GEO_DECIMALS, v);
	while (b[n - 1] == '0')
		n--;
	if (b[n - 1] == '.')
		n--;
	b[n] = '\0';
	if (strcmp(b, "-0") == 0)
		strcpy(b, "0");
}

/*
 * The integer path of geo_coord() against printf, over a million values:
 * degrees, metres, tiny and huge ones, and values on and next to the
 * halves where rounding is decided.
 */
static void
test_coord(void)
{
	static const double scales[] = { 180, 1e6, 2e6, 1e-6, 1e14, 1e16, 1 };
	/* On a half, beside it, and either side of where snprintf takes over. */
	static const double offsets[] = { 0, 1e-9, -1e-9, 0.009, -0.009,
	    0.011, -0.011, 0.02, -0.02 };
	char		 got[GEO_COORD_MAX], want[GEO_COORD_MAX];
	unsigned long long x = 88172645463325252ull;
	size_t		 i, wrong = 0, n = 0;
	double		 v, k;

	for (i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = ((double)(x >> 11) / 9007199254740992.0 * 2 - 1) *
		    scales[i % 7];
		if (i % 5 == 1) {
			/* A half of the last place, and its neighbours. */
			k = (double)(long long)(v * 1e7);
			v = (k + 0.5 + offsets[i / 5 % 9]) / 1e7;
		} else if (i % 5 == 2)
			v = (double)(long long)v;
		coord_ref(want, v);
		if (geo_coord(got, v) != strlen(want) ||
		    strcmp(got, want) != 0) {
			if (wrong++ < 3)
				printf("# %.17g: got %s, want %s\n", v, got, want);
		}
		n++;
	}
	T_OK(wrong == 0, "coordinates: %zu of %zu written as %%.7f would", n -
	    wrong, n);
	T_OK(geo_coord(got, -0.0) == 1 && strcmp(got, "0") == 0 &&
	    geo_coord(got, -4e-8) == 1 && strcmp(got, "0") == 0 &&
	    geo_coord(got, -1.5) == 4 && strcmp(got, "-1.5") == 0 &&
	    geo_coord(got, 38.7123456789) == 10 &&
	    strcmp(got, "38.7123457") == 0, "coordinates: -0, -1.5, 38.71...");
}

/* Append the n bytes of v, in the order le says, as hex digits. */
static void
put_hex(char **o, uint64_t v, int n, bool le)
{
	int	 i, shift;

	for (i = 0; i < n; i++) {
		shift = 8 * (le ? i : n - 1 - i);
		*o += sprintf(*o, "%02X", (unsigned int)(v >> shift & 0xff));
	}
}

/* A two-dimensional point's EWKB in hex; srid -1 for none. */
static void
point_hex(char *o, double x, double y, long srid, bool le)
{
	uint64_t	 u;

	put_hex(&o, le, 1, le);
	put_hex(&o, 1 | (srid >= 0 ? 0x20000000u : 0), 4, le);
	if (srid >= 0)
		put_hex(&o, (uint64_t)srid, 4, le);
	memcpy(&u, &x, sizeof(u));
	put_hex(&o, u, 8, le);
	memcpy(&u, &y, sizeof(u));
	put_hex(&o, u, 8, le);
}

/*
 * Two-dimensional points, which geo_write() reads in one piece when they
 * are little-endian, must come out as their big-endian twins do, which
 * take the walk: a hundred thousand of them, of every SRID case and of
 * every kind of coordinate (degrees, metres, huge, halves, -0, NaN, an
 * infinity).
 */
static void
test_point2d(void)
{
	static const long srids[] = { -1, 0, 4326, 3857 };
	static const double odd[] = { -0.0, 0.0, 0.00000005, -0.00000005,
	    1e15, -1e300, 5e-324, NAN, INFINITY, -INFINITY };
	struct jw	 le, be;
	char		 hl[64], hb[64];
	unsigned long long x = 88172645463325252ull;
	size_t		 i, wrong = 0, taken = 0;
	double		 c[2];
	int		 j, rl, rb;

	for (i = 0; i < 100000; i++) {
		for (j = 0; j < 2; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			c[j] = ((double)(x >> 11) / 9007199254740992.0 * 2 -
			    1) * (j == 0 ? 180 : 1e7);
			if (x % 7 == 0)
				c[j] = odd[x / 7 % 10];
			else if (x % 7 == 1)
				c[j] = (floor(c[j] * 1e7) + 0.5) / 1e7;
		}
		point_hex(hl, c[0], c[1], srids[i % 4], true);
		point_hex(hb, c[0], c[1], srids[i % 4], false);
		rl = run(&le, hl, strlen(hl));
		rb = run(&be, hb, strlen(hb));
		if (rl != rb || le.failed || be.failed ||
		    strcmp(le.buf, be.buf) != 0) {
			if (wrong++ < 3)
				printf("# %s: %s, but %s: %s\n", hl, le.buf,
				    hb, be.buf);
		} else if (rl == 0)
			taken++;
		jw_free(&le);
		jw_free(&be);
	}
	T_OK(wrong == 0 && taken > 90000, "points: %zu of 100000 written as "
	    "their big-endian twins are (%zu taken, %zu refused)",
	    i - wrong, taken, i - wrong - taken);
}

/*
 * geo.c reads its digits with hex_decode: for every pair of bytes it must
 * give what hex_value gives digit by digit, and refuse the pair exactly
 * when either byte is not a hex digit, wherever in a run the pair stands:
 * in the run's first eight bytes, which are read sixteen digits at a time
 * where the processor can, and in the four after them, read one by one.
 */
static void
test_hex(void)
{
	static const char run_hex[] = "a0F97e3D5b6C81E2c4A90fd7";
	static const unsigned char run_bytes[] = { 0xa0, 0xf9, 0x7e, 0x3d,
	    0x5b, 0x6c, 0x81, 0xe2, 0xc4, 0xa9, 0x0f, 0xd7 };
	char		 hex[24];
	unsigned char	 b[12];
	size_t		 wrong = 0, pos, i, k;
	int		 c1, c2, hi, lo, rc;

	for (c1 = 0; c1 < 256; c1++)
		for (c2 = 0; c2 < 256; c2++)
			for (k = 0; k < 2; k++) {
				hi = hex_value(c1);
				lo = hex_value(c2);
				pos = k == 0 ? (size_t)(c1 + c2) % 8 :
				    8 + (size_t)(c1 + c2) % 4;
				memcpy(hex, run_hex, sizeof(hex));
				hex[2 * pos] = (char)c1;
				hex[2 * pos + 1] = (char)c2;
				rc = hex_decode(b, hex, sizeof(b));
				if (hi == -1 || lo == -1) {
					if (rc != -1)
						wrong++;
					continue;
				}
				if (rc != 0 || b[pos] != (hi << 4 | lo))
					wrong++;
				for (i = 0; i < sizeof(b); i++)
					if (i != pos && b[i] != run_bytes[i])
						wrong++;
			}
	T_OK(wrong == 0, "hex_decode: as hex_value on all 65536 digit pairs, "
	    "in a block and after it (%zu differ)", wrong);
	T_OK(hex_value('0') == 0 && hex_value('9') == 9 &&
	    hex_value('a') == 10 && hex_value('F') == 15 &&
	    hex_value('g') == -1 && hex_value('/') == -1 &&
	    hex_value(':') == -1 && hex_value('@') == -1 &&
	    hex_value('G') == -1 && hex_value('`') == -1 &&
	    hex_value(-1) == -1 && hex_value(256) == -1 &&
	    hex_value(0xe0) == -1, "hex_value: the digits and their edges");
	T_OK(hex_decode(b, "", 0) == 0, "hex_decode: no digits, no bytes");
}

int
main(void)
{
	test_vectors();
	test_exact();
	test_truncated();
	test_bad();
	test_nesting();
	test_writer();
	test_mutations();
	test_coord();
	test_point2d();
	test_hex();
	return t_exit();
}
