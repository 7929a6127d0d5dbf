-- Named filter results: parameters, counts, and one row per classified image.
CREATE TABLE filter_results (
    name          text        PRIMARY KEY,
    params        jsonb       NOT NULL,
    counts        jsonb       NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE filter_points (
    result_name text    NOT NULL REFERENCES filter_results (name) ON DELETE CASCADE ON UPDATE CASCADE,
    image_id    bigint  NOT NULL,
    sequence_id text    NOT NULL,
    class       text    NOT NULL CHECK (class IN ('urban', 'other')),
    kept        boolean NOT NULL,
    PRIMARY KEY (result_name, image_id)
);
CREATE INDEX filter_points_sequence ON filter_points (result_name, sequence_id);
