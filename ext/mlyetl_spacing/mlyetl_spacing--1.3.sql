-- mlyetl_spacing 1.3: the spacing walk of mlyetl filter as one C aggregate over each
-- sequence's images in any order (it sorts them itself; parallel: partial states are
-- combined). Used by sql/filters/walk_c.sql and walk_fresh_c.sql; the PL/pgSQL
-- aggregates of migrations/sql/0001/40_results.up.sql (sql/filters/walk_summary.sql) are
-- the fallback and give the same result.
\echo Use "CREATE EXTENSION mlyetl_spacing" to load this file. \quit

-- One sequence's walk: what sql/filters/walk_c.sql stores per sequence.
CREATE TYPE mlyetl_sequence_walk AS (
    line              bytea,             -- EWKB LineString 4326 of the originals in order; NULL under 2
    image_count       integer,           -- originals (duplicates excluded)
    urban_count       integer,
    other_count       integer,
    duplicate_count   integer,
    kept_count        integer,
    kept_urban_count  integer,
    kept_other_count  integer,
    first_captured_at timestamptz,
    last_captured_at  timestamptz,
    length_m          double precision,  -- haversine steps between consecutive originals (R = 6371 km)
    kept_ids          bigint[],          -- the kept originals in capture order ...
    kept_urban        boolean[],         -- ... their class ...
    kept_lon          double precision[],-- ... and position
    kept_lat          double precision[]
);

CREATE FUNCTION mlyetl_walk_sequence_step(internal, captured_at timestamptz, id bigint,
                                          lat double precision, lon double precision, urban boolean,
                                          spacing_urban double precision, spacing_other double precision,
                                          straight boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_final(internal)
RETURNS mlyetl_sequence_walk AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- One sequence's rows, in any order: its summary. The final function sorts the rows by
-- (captured_at, id) and walks them; each class walks on its own (path or straight rule
-- with its threshold); duplicates (same capture time and position as an earlier row) are
-- never kept, do not move the walk and are not in the line. Parallel: workers collect
-- partial states, which are serialized, combined and walked once.
CREATE AGGREGATE mlyetl_walk_sequence(captured_at timestamptz, id bigint,
                                      lat double precision, lon double precision, urban boolean,
                                      spacing_urban double precision, spacing_other double precision,
                                      straight boolean) (
    SFUNC = mlyetl_walk_sequence_step, STYPE = internal,
    COMBINEFUNC = mlyetl_walk_sequence_combine,
    SERIALFUNC = mlyetl_walk_sequence_serialize, DESERIALFUNC = mlyetl_walk_sequence_deserialize,
    FINALFUNC = mlyetl_walk_sequence_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE
);

-- The haversine step of the walk, for tests: must equal mlyetl_haversine_m bit for bit.
CREATE FUNCTION mlyetl_haversine_m_c(lat1 double precision, lon1 double precision,
                                     lat2 double precision, lon2 double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'mlyetl_haversine_m_c'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- hashint8extended(id, xmin::text::bigint) without the text conversions: the per-image
-- term of a sequence's signature (sql/filters/find_dirty.sql, walk_fresh_c.sql).
CREATE FUNCTION mlyetl_row_hash(id bigint, row_xmin xid)
RETURNS bigint AS 'MODULE_PATHNAME', 'mlyetl_row_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- sin(elevation) of the sun at the instant `epoch` (seconds since 1970 UTC) and the place
-- lon / lat (degrees): the value, NULL and errors of mlyetl_sun_sine (migration 0006) for
-- every input, NULLs included (so not STRICT); walk_fresh_c.sql's --daylight test.
CREATE FUNCTION mlyetl_sun_sine_c(epoch double precision, lon double precision, lat double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'mlyetl_sun_sine_c'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
