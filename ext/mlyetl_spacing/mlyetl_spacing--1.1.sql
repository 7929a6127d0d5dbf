-- mlyetl_spacing 1.1: window functions over one sequence+class walk, ordered by
-- (captured_at, id). Used by sql/filters/walk_*_c.sql; the PL/pgSQL aggregates of
-- migrations/sql/0001/40_results.up.sql are the fallback and give the same result.
\echo Use "CREATE EXTENSION mlyetl_spacing" to load this file. \quit

-- The id of this row's original: the lowest id of the rows of the walk with the same
-- capture time and position (exact float equality), or the row's own id.
CREATE FUNCTION mlyetl_walk_first_id(captured_at timestamptz, id bigint,
                                     lat double precision, lon double precision)
RETURNS bigint AS 'MODULE_PATHNAME', 'mlyetl_walk_first_id'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

-- Path rule: the first original is kept; haversine steps between consecutive originals
-- are summed; a point is kept when the sum reaches (>=) the threshold, which resets it.
-- Duplicates are never kept and do not move the walk.
CREATE FUNCTION mlyetl_walk_path_kept(captured_at timestamptz, id bigint,
                                      lat double precision, lon double precision,
                                      threshold double precision)
RETURNS boolean AS 'MODULE_PATHNAME', 'mlyetl_walk_path_kept'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

-- Straight rule: kept when the haversine distance to the last kept point reaches the
-- threshold (the first original is kept). Duplicates are never kept.
CREATE FUNCTION mlyetl_walk_straight_kept(captured_at timestamptz, id bigint,
                                          lat double precision, lon double precision,
                                          threshold double precision)
RETURNS boolean AS 'MODULE_PATHNAME', 'mlyetl_walk_straight_kept'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

-- The haversine step of the walk, for tests: must equal mlyetl_haversine_m bit for bit.
CREATE FUNCTION mlyetl_haversine_m_c(lat1 double precision, lon1 double precision,
                                     lat2 double precision, lon2 double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'mlyetl_haversine_m_c'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

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
    kept_ids          bigint[],          -- the kept originals in capture order ...
    kept_urban        boolean[],         -- ... their class ...
    kept_lon          double precision[],-- ... and position
    kept_lat          double precision[]
);

-- Over PARTITION BY sequence ORDER BY captured_at, id: the sequence's summary on its first
-- row, NULL on the others. Each class walks on its own (path or straight rule with its
-- threshold); duplicates (same capture time and position as an earlier row) are never
-- kept, do not move the walk and are not in the line.
CREATE FUNCTION mlyetl_walk_sequence(captured_at timestamptz, id bigint,
                                     lat double precision, lon double precision, urban boolean,
                                     spacing_urban double precision, spacing_other double precision,
                                     straight boolean)
RETURNS mlyetl_sequence_walk AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
