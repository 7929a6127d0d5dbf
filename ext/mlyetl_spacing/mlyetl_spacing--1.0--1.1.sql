-- mlyetl_spacing 1.0 -> 1.1: the whole walk of a sequence in one aggregate call
-- (mlyetl_walk_sequence), so that a filter writes one row per sequence, not per image; the
-- per-row window functions of 1.0 are gone.
\echo Use "ALTER EXTENSION mlyetl_spacing UPDATE" to load this file. \quit

DROP FUNCTION mlyetl_walk_first_id(timestamptz, bigint, double precision, double precision);
DROP FUNCTION mlyetl_walk_path_kept(timestamptz, bigint, double precision, double precision, double precision);
DROP FUNCTION mlyetl_walk_straight_kept(timestamptz, bigint, double precision, double precision, double precision);

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

CREATE FUNCTION mlyetl_walk_sequence_final(internal)
RETURNS mlyetl_sequence_walk AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- One sequence's rows, fed in (captured_at, id) order (a sorted subquery; checked on every
-- row, an error otherwise): its summary. Each class walks on its own (path or straight
-- rule with its threshold); duplicates (same capture time and position as an earlier row)
-- are never kept, do not move the walk and are not in the line.
CREATE AGGREGATE mlyetl_walk_sequence(captured_at timestamptz, id bigint,
                                      lat double precision, lon double precision, urban boolean,
                                      spacing_urban double precision, spacing_other double precision,
                                      straight boolean) (
    SFUNC = mlyetl_walk_sequence_step, STYPE = internal,
    FINALFUNC = mlyetl_walk_sequence_final, PARALLEL = SAFE
);
