-- Back to one shared table each for lines and signatures (revision 0003). A result whose
-- partitions were not all attached (a first run in progress) starts over.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT fr.name, fr.id FROM filter_results fr
        WHERE EXISTS (SELECT 1 FROM unnest(ARRAY['filter_points', 'filter_sequence_lines', 'filter_sequences']) AS p(parent)
                      WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i
                                        WHERE i.inhparent = to_regclass('public.' || p.parent)
                                          AND i.inhrelid = to_regclass(format('public.%s_r%s', p.parent, fr.id))))
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS public.%I, public.%I, public.%I', 'filter_points_r' || r.id,
                       'filter_sequence_lines_r' || r.id, 'filter_sequences_r' || r.id);
        UPDATE filter_results SET state = 'running' WHERE name = r.name;
    END LOOP;
END
$$;

ALTER TABLE filter_sequence_lines RENAME TO filter_sequence_lines_0004;
ALTER INDEX filter_sequence_lines_pkey RENAME TO filter_sequence_lines_0004_pkey;
ALTER INDEX filter_sequence_lines_geom_gist RENAME TO filter_sequence_lines_0004_geom_gist;
ALTER TABLE filter_sequences RENAME TO filter_sequences_0004;
ALTER INDEX filter_sequences_pkey RENAME TO filter_sequences_0004_pkey;

CREATE TABLE filter_sequence_lines (
    result_name       text        NOT NULL REFERENCES filter_results (name) ON DELETE CASCADE,
    sequence_id       text        NOT NULL,
    geom              geometry(LineString, 4326),
    image_count       integer     NOT NULL,
    urban_count       integer     NOT NULL,
    other_count       integer     NOT NULL,
    kept_count        integer     NOT NULL,
    kept_urban_count  integer     NOT NULL,
    kept_other_count  integer     NOT NULL,
    duplicate_count   integer     NOT NULL,
    length_m          double precision NOT NULL,
    first_captured_at timestamptz NOT NULL,
    last_captured_at  timestamptz NOT NULL,
    PRIMARY KEY (result_name, sequence_id)
);
CREATE INDEX filter_sequence_lines_geom_gist ON filter_sequence_lines USING gist (geom);
DO $$
BEGIN
    ALTER TABLE filter_sequence_lines ALTER COLUMN geom SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 not available on this server: sequence lines stay pglz-compressed';
END
$$;
CREATE TABLE filter_sequences (
    result_name text NOT NULL REFERENCES filter_results (name) ON DELETE CASCADE,
    sequence_id text NOT NULL,
    signature   text NOT NULL,
    PRIMARY KEY (result_name, sequence_id)
);
INSERT INTO filter_sequence_lines SELECT * FROM filter_sequence_lines_0004;
INSERT INTO filter_sequences (result_name, sequence_id, signature)
SELECT result_name, sequence_id, signature FROM filter_sequences_0004;
DROP TABLE filter_sequence_lines_0004, filter_sequences_0004;  -- with their partitions
