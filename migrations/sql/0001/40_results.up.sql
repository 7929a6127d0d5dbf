-- Named filter results (mlyetl filter): parameters, counts, the classified images, one
-- line per sequence, and the per-sequence signatures that make re-runs incremental.
CREATE TABLE filter_results (
    name          text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    id            serial      NOT NULL UNIQUE,     -- names the result's filter_points partition
    params        jsonb       NOT NULL,            -- what the user asked for (spacing, layers, mode)
    layers        jsonb       NOT NULL DEFAULT '{}', -- layer ids + load times: a reload recomputes all
    counts        jsonb       NOT NULL DEFAULT '{}',
    state         text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE filter_results IS 'Named filter results: parameters and counts (mlyetl filter).';

-- Every clipped and classified image of a result, whether spacing kept it, and a copy of
-- its position so that QGIS can show a result without a join. One partition per result
-- (filter_points_r<id>): a new result is bulk-loaded into a bare table whose indexes are
-- built afterwards (much faster than maintaining a GiST index row by row), then attached.
CREATE TABLE filter_points (
    result_name  text    NOT NULL,
    image_id     bigint  NOT NULL,
    sequence_id  text    NOT NULL,
    class        text    NOT NULL CONSTRAINT filter_points_class CHECK (class IN ('urban', 'other')),
    kept         boolean NOT NULL,
    duplicate_of bigint,             -- same sequence, capture time and position as this lower id
    geom         geometry(Point, 4326) NOT NULL,
    -- image_id first: a partition holds one result_name, so a (result_name, ...) key
    -- compares the same text on every step of the bulk build (2-3x slower to build)
    PRIMARY KEY (image_id, result_name)
) PARTITION BY LIST (result_name);
CREATE INDEX filter_points_sequence ON filter_points (sequence_id);
CREATE INDEX filter_points_geom_gist ON filter_points USING gist (geom);
COMMENT ON TABLE filter_points IS 'Clipped + classified images of each filter result; kept = survived spacing.';

-- One line per sequence of a result: its clipped, de-duplicated images in capture order.
CREATE TABLE filter_sequence_lines (
    result_name       text        NOT NULL REFERENCES filter_results (name) ON DELETE CASCADE,
    sequence_id       text        NOT NULL,
    geom              geometry(LineString, 4326),   -- NULL for a one-image sequence
    image_count       integer     NOT NULL,         -- clipped images, duplicates excluded
    urban_count       integer     NOT NULL,
    other_count       integer     NOT NULL,
    kept_count        integer     NOT NULL,
    kept_urban_count  integer     NOT NULL,
    kept_other_count  integer     NOT NULL,
    duplicate_count   integer     NOT NULL,
    length_m          double precision NOT NULL,    -- sum of haversine steps (R = 6371 km)
    first_captured_at timestamptz NOT NULL,
    last_captured_at  timestamptz NOT NULL,
    PRIMARY KEY (result_name, sequence_id)
);
CREATE INDEX filter_sequence_lines_geom_gist ON filter_sequence_lines USING gist (geom);

-- Bookkeeping for incremental runs: a signature of each input sequence (count of its live
-- images and the sum of their row versions). A sequence whose signature changed is
-- recomputed; its rows are replaced in the same transaction that stores the new signature.
CREATE TABLE filter_sequences (
    result_name text NOT NULL REFERENCES filter_results (name) ON DELETE CASCADE,
    sequence_id text NOT NULL,
    signature   text NOT NULL,
    PRIMARY KEY (result_name, sequence_id)
);

-- Haversine distance in metres, R = 6371 km. Written out (not ST_DistanceSphere, whose
-- radius differs) in the exact operation order of etl/filters/reference.py, so that the
-- SQL and the Python reference agree bit for bit (same libm sin/cos/asin/sqrt).
CREATE FUNCTION mlyetl_haversine_m(lat1 double precision, lon1 double precision,
                                   lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 12742000.0::float8 * asin(sqrt(least(1.0::float8,
        sin((lat2 - lat1) * 0.017453292519943295::float8 / 2.0::float8)
          * sin((lat2 - lat1) * 0.017453292519943295::float8 / 2.0::float8)
        + cos(lat1 * 0.017453292519943295::float8) * cos(lat2 * 0.017453292519943295::float8)
          * sin((lon2 - lon1) * 0.017453292519943295::float8 / 2.0::float8)
          * sin((lon2 - lon1) * 0.017453292519943295::float8 / 2.0::float8))))
$$;

-- Spacing along the path, as a window aggregate over one sequence+class walk in capture
-- order. State: the distance walked since the last kept point, or -1 where this point is
-- kept (the sum is then 0). The first point is kept; a point is kept when the running sum
-- reaches (>=) the threshold, and the sum restarts from 0.
CREATE FUNCTION mlyetl_spacing_path_step(state double precision, step double precision,
                                         threshold double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF state IS NULL THEN
        RETURN -1;
    END IF;
    IF state < 0 THEN
        state := 0;
    END IF;
    state := state + step;
    IF state >= threshold THEN
        RETURN -1;
    END IF;
    RETURN state;
END
$$;
CREATE AGGREGATE mlyetl_spacing_path(double precision, double precision) (
    SFUNC = mlyetl_spacing_path_step, STYPE = double precision, PARALLEL = SAFE
);

-- Spacing by straight distance to the last kept point (--spacing-mode straight).
-- State: {lat, lon of the last kept point, 1 if this point is kept else 0}.
CREATE FUNCTION mlyetl_spacing_straight_step(state double precision[], lat double precision,
                                             lon double precision, threshold double precision)
RETURNS double precision[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF state IS NULL OR mlyetl_haversine_m(state[1], state[2], lat, lon) >= threshold THEN
        RETURN ARRAY[lat, lon, 1];
    END IF;
    RETURN ARRAY[state[1], state[2], 0];
END
$$;
CREATE AGGREGATE mlyetl_spacing_straight(double precision, double precision, double precision) (
    SFUNC = mlyetl_spacing_straight_step, STYPE = double precision[], PARALLEL = SAFE
);
