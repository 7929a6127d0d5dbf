-- Each result's sequence lines and sequence signatures get their own partitions, as its
-- points have (filter_sequence_lines_r<id>, filter_sequences_r<id>): a result's first
-- computation bulk-loads bare tables and builds their indexes afterwards, instead of
-- maintaining a shared GiST index, primary key and foreign-key checks row by row from
-- several connections at once (docs/filters.md). A result is dropped with its tables.

ALTER TABLE filter_sequence_lines RENAME TO filter_sequence_lines_0003;
ALTER INDEX filter_sequence_lines_pkey RENAME TO filter_sequence_lines_0003_pkey;
ALTER INDEX filter_sequence_lines_geom_gist RENAME TO filter_sequence_lines_0003_geom_gist;
ALTER TABLE filter_sequences RENAME TO filter_sequences_0003;
ALTER INDEX filter_sequences_pkey RENAME TO filter_sequences_0003_pkey;

-- One line per sequence of a result: its clipped, de-duplicated images in capture order.
-- sequence_id first in the key: a partition holds one result_name (see filter_points).
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
    PRIMARY KEY (sequence_id, result_name)
) PARTITION BY LIST (result_name);
CREATE INDEX filter_sequence_lines_geom_gist ON filter_sequence_lines USING gist (geom);
COMMENT ON TABLE filter_sequence_lines IS
    'One line per sequence of each filter result, with its counts; one partition filter_sequence_lines_r<id> per result.';
-- Lines longer than a page (sequences of ~500+ images) are compressed: lz4 is several
-- times faster than pglz (partitions copy it). Servers built without lz4 keep pglz.
DO $$
BEGIN
    ALTER TABLE filter_sequence_lines ALTER COLUMN geom SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 not available on this server: long sequence lines stay pglz-compressed';
END
$$;

-- Bookkeeping for incremental runs: a signature of each input sequence (count of its live
-- images and the sum of their row versions). A sequence whose signature changed is
-- recomputed; its rows are replaced in the same transaction that stores the new signature.
CREATE TABLE filter_sequences (
    result_name text NOT NULL REFERENCES filter_results (name) ON DELETE CASCADE,
    sequence_id text NOT NULL,
    signature   text NOT NULL,
    PRIMARY KEY (sequence_id, result_name)
) PARTITION BY LIST (result_name);
COMMENT ON TABLE filter_sequences IS
    'Signature of each input sequence of each filter result (incremental runs); one partition filter_sequences_r<id> per result.';

-- Every result with an attached points partition gets its two new partitions, filled.
-- toast_tuple_target: a row is kept whole in its page up to ~8 kB (sequence lines are
-- mostly 1-3 kB), so writing or reading a line needs no compression or TOAST table.
-- A result whose points partition was never attached (its first run was killed before the
-- end) is started over by its next run, which then makes all three tables itself.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT fr.name, fr.id,
               EXISTS (SELECT 1 FROM pg_inherits i
                       WHERE i.inhparent = 'public.filter_points'::regclass
                         AND i.inhrelid = to_regclass(format('public.filter_points_r%s', fr.id))) AS attached
        FROM filter_results fr ORDER BY fr.id
    LOOP
        IF NOT r.attached THEN
            EXECUTE format('DROP TABLE IF EXISTS public.%I', 'filter_points_r' || r.id);
            UPDATE filter_results SET state = 'running' WHERE name = r.name;
            CONTINUE;
        END IF;
        EXECUTE format('CREATE TABLE public.%I PARTITION OF filter_sequence_lines FOR VALUES IN (%L) '
                       'WITH (toast_tuple_target = 8160)', 'filter_sequence_lines_r' || r.id, r.name);
        EXECUTE format('INSERT INTO public.%I SELECT * FROM filter_sequence_lines_0003 WHERE result_name = %L',
                       'filter_sequence_lines_r' || r.id, r.name);
        EXECUTE format('CREATE TABLE public.%I PARTITION OF filter_sequences FOR VALUES IN (%L) '
                       'WITH (toast_tuple_target = 8160)', 'filter_sequences_r' || r.id, r.name);
        EXECUTE format('INSERT INTO public.%I (result_name, sequence_id, signature) '
                       'SELECT result_name, sequence_id, signature FROM filter_sequences_0003 WHERE result_name = %L',
                       'filter_sequences_r' || r.id, r.name);
    END LOOP;
END
$$;

DROP TABLE filter_sequence_lines_0003, filter_sequences_0003;
