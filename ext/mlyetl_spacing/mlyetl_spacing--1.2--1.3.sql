-- mlyetl_spacing 1.2 -> 1.3: mlyetl_sun_sine_c, the --daylight test's sun sine in C (the
-- same float8 as the SQL mlyetl_sun_sine, bit for bit), for sql/filters/walk_fresh_c.sql.
\echo Use "ALTER EXTENSION mlyetl_spacing UPDATE" to load this file. \quit

-- sin(elevation) of the sun at the instant `epoch` (seconds since 1970 UTC) and the place
-- lon / lat (degrees): the value, NULL and errors of mlyetl_sun_sine (migration 0006) for
-- every input, NULLs included (so not STRICT).
CREATE FUNCTION mlyetl_sun_sine_c(epoch double precision, lon double precision, lat double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'mlyetl_sun_sine_c'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
