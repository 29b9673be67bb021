-- bench.trips: the table make bench reads, 20,000 rows of mixed types
-- (int8, int4, numeric, float8, timestamptz, date, text with quotes and
-- non-ASCII, bool, jsonb, NULLs, and a PostGIS point when PostGIS is
-- installed), the same on every run (setseed).
CREATE SCHEMA bench;
\o /dev/null
SELECT setseed(0.42);
\o
CREATE TABLE bench.trips (
	id		int8 PRIMARY KEY,
	vehicle_id	int4 NOT NULL,
	fare		numeric(10, 2),
	distance_km	float8,
	started_at	timestamptz NOT NULL,
	service_day	date NOT NULL,
	driver		text NOT NULL,
	note		text,
	paid		bool,
	attrs		jsonb
);
INSERT INTO bench.trips
SELECT g,
       1 + (g * 7919) % 500,
       CASE WHEN g % 11 = 0 THEN NULL
            ELSE round((2 + random() * 180)::numeric, 2) END,
       round((random() * 250)::numeric, 3)::float8,
       timestamptz '2026-01-01 00:00+00' + g * interval '97 seconds',
       date '2026-01-01' + g / 900,
       (ARRAY['Zoë Ångström', 'O''Brien', 'José Núñez', 'Mei 李',
              'Ana "Nana" Silva'])[1 + g % 5],
       CASE WHEN g % 7 = 0 THEN NULL
            WHEN g % 3 = 0 THEN 'late: "traffic" on A1 — détour'
            ELSE 'ok' END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE g % 4 <> 0 END,
       jsonb_build_object('stops', g % 6, 'zone', 'Z' || (g % 40),
                          'tags', CASE WHEN g % 2 = 0
                                       THEN jsonb_build_array('airport')
                                       ELSE '[]'::jsonb END)
FROM generate_series(1, 20000) AS g;
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis') THEN
		EXECUTE 'ALTER TABLE bench.trips ADD COLUMN pos geometry(Point, 4326)';
		EXECUTE 'UPDATE bench.trips SET pos = ST_SetSRID(ST_MakePoint('
		    '-9.2 + (id % 1000) / 1000.0, 38.7 + (id % 777) / 1000.0), 4326)'
		    ' WHERE id % 17 <> 0';
	END IF;
END
$$;
VACUUM ANALYZE bench.trips;
GRANT USAGE ON SCHEMA bench TO analytics_ro;
GRANT SELECT ON bench.trips TO analytics_ro;
