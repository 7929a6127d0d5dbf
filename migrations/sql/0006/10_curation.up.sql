-- Curation (docs/filters.md, "Curation"): a result may thin its images across sequences
-- and cap them per cell of an equal-area grid. Its spacing stage then writes the images
-- each sequence's spacing kept into filter_candidates (one partition per result, as
-- filter_points), and filter_points holds what thinning and caps keep of them, each with
-- the cell_id of its grid cell.

ALTER TABLE filter_points ADD COLUMN cell_id bigint;  -- NULL unless the result has a cell size
COMMENT ON COLUMN filter_points.cell_id IS
    'Cell of the equal-area grid of the result''s --cell-size (mlyetl_cell_id), NULL without one.';

CREATE TABLE filter_candidates (LIKE filter_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY LIST (result_name);
ALTER TABLE filter_candidates ADD PRIMARY KEY (image_id, result_name);
CREATE INDEX filter_candidates_sequence ON filter_candidates (sequence_id);
CREATE INDEX filter_candidates_geom_gist ON filter_candidates USING gist (geom);
COMMENT ON TABLE filter_candidates IS
    'Images kept by each curated result''s per-sequence spacing, before thinning and caps; one partition filter_candidates_r<id> per curated result.';

-- Daylight (--daylight): is the sun above the horizon at time ts and place lon / lat
-- (degrees)? The sun's position is NOAA's "General Solar Position Calculations" (the
-- fractional year's Fourier series for the declination and the equation of time, ~0.1
-- degree), with the fractional year running continuously in tropical years (365.2422
-- days) instead of restarting every 1 January. The declination and the equation of time
-- change slowly (< 0.5 degree a day): they are tabulated once here at 1461 steps a year
-- (6 hours, < 0.06 degree between steps) and read from constant arrays, so that each image
-- costs a few arithmetic steps and three trigonometric functions in one inlined expression
-- (the formula written out per image cost ~10x more). The step of an instant is
-- round((epoch - BASE) / STEP) mod 1461, STEP = 365.2422 * 86400 / 1461 s, BASE = J2000.0
-- (2000-01-01 12:00 UTC) - 100 * 365.2422 days (1900-01-01 06:43:12 UTC), where the fractional year is 0.
-- etl/filters/curation_reference.py computes the same; tests/filters/test_daylight.py
-- checks the elevation against the astral library.
DO $do$
DECLARE
    sin_decl float8[];
    cos_decl float8[];
    eqtime   float8[];
BEGIN
    SELECT array_agg(sin(decl) ORDER BY k), array_agg(cos(decl) ORDER BY k), array_agg(eq ORDER BY k)
    INTO sin_decl, cos_decl, eqtime
    FROM (
        SELECT k, 0.006918::float8 - 0.399912::float8 * cos(y) + 0.070257::float8 * sin(y)
                  - 0.006758::float8 * cos(2.0::float8 * y) + 0.000907::float8 * sin(2.0::float8 * y)
                  - 0.002697::float8 * cos(3.0::float8 * y) + 0.00148::float8 * sin(3.0::float8 * y) AS decl,
                  229.18::float8 * (0.000075::float8 + 0.001868::float8 * cos(y) - 0.032077::float8 * sin(y)
                  - 0.014615::float8 * cos(2.0::float8 * y) - 0.040849::float8 * sin(2.0::float8 * y)) AS eq
        FROM (SELECT k, 2.0::float8 * pi() * k / 1461.0::float8 AS y FROM generate_series(0, 1460) k) g
    ) s;
    EXECUTE format('CREATE FUNCTION mlyetl_sun_sin_decl() RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
                   format('SELECT %L::float8[]', sin_decl));
    EXECUTE format('CREATE FUNCTION mlyetl_sun_cos_decl() RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
                   format('SELECT %L::float8[]', cos_decl));
    EXECUTE format('CREATE FUNCTION mlyetl_sun_eqtime() RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
                   format('SELECT %L::float8[]', eqtime));
END
$do$;
COMMENT ON FUNCTION mlyetl_sun_eqtime() IS 'Equation of time (minutes) per 1/1461 of a tropical year (see mlyetl_sun_step).';

-- The table step of an instant (seconds since 1970 UTC), 1-based.
CREATE FUNCTION mlyetl_sun_step(epoch float8) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((epoch + 2208964608.0::float8) / 21599.538726899384::float8)::integer % 1461 + 1
$$;

-- sin(elevation) of the sun, from the instant (epoch seconds) and the place.
CREATE FUNCTION mlyetl_sun_sine(epoch float8, lon float8, lat float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sin(radians(lat)) * (mlyetl_sun_sin_decl())[mlyetl_sun_step(epoch)]
         + cos(radians(lat)) * (mlyetl_sun_cos_decl())[mlyetl_sun_step(epoch)]
           * cos(radians(epoch / 240.0::float8 + (mlyetl_sun_eqtime())[mlyetl_sun_step(epoch)] / 4.0::float8
                         + lon + 180.0::float8))
$$;

-- The sun's elevation in degrees (no refraction).
CREATE FUNCTION mlyetl_sun_elevation(ts timestamptz, lon float8, lat float8) RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT degrees(asin(least(1.0::float8, greatest(-1.0::float8,
                                                      mlyetl_sun_sine(date_part('epoch', ts), lon, lat)))))
$$;

-- --daylight: the sun is above the horizon (STABLE only because date_part of a timestamptz
-- is; the value never depends on the session).
CREATE FUNCTION mlyetl_daylight(ts timestamptz, lon float8, lat float8) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT mlyetl_sun_sine(date_part('epoch', ts), lon, lat) > 0.0::float8
$$;

-- The cell of the equal-area grid of cell size `size` metres that holds lon / lat: the
-- Lambert cylindrical equal-area projection of the sphere of radius R = 6371 km (the
-- spacing's) with standard parallels +-30 degrees (as EASE-Grid 2.0), x = R * lon * cos 30,
-- y = R * sin(lat) / cos 30 (radians), cut into size x size squares: every cell has the
-- same area on the sphere. cell_id = row * 2^32 + column + 2^31, row = floor(y / size),
-- column = floor(x / size).
CREATE FUNCTION mlyetl_cell_id(lon float8, lat float8, size float8) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(6371000.0::float8 * sin(lat * 0.017453292519943295::float8) / 0.8660254037844387::float8 / size)::bigint
               * 4294967296::bigint
           + floor(6371000.0::float8 * (lon * 0.017453292519943295::float8) * 0.8660254037844387::float8 / size)::bigint
           + 2147483648::bigint
$$;

-- Curation's neighbour grid (sql/filters/curate_pairs.sql): the width in degrees of the
-- columns of band `band` (bands of c degrees of latitude) that no pair of points closer
-- than `dist` metres (haversine, R = 6371 km) can exceed in longitude when one of them lies
-- in that band and the other at most one band away: hav(dlon) <= hav(dist / R) / cos^2(phi),
-- phi = the band's largest |latitude| plus two bands; widened by 1e-9. 360 (one column)
-- where that reaches 180 degrees or a pole.
CREATE FUNCTION mlyetl_thin_width(band bigint, c float8, dist float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN greatest(abs(band * c), abs((band + 1) * c)) + 2.0::float8 * c >= 90.0::float8
                  OR sin(dist / 12742000.0::float8)
                     >= cos(radians(greatest(abs(band * c), abs((band + 1) * c)) + 2.0::float8 * c))
                THEN 360.0::float8
                ELSE degrees(2.0::float8 * asin(sin(dist / 12742000.0::float8)
                     / cos(radians(greatest(abs(band * c), abs((band + 1) * c)) + 2.0::float8 * c))))
                     * (1.0::float8 + 1e-9::float8) + 1e-9::float8
           END
$$;
