DROP VIEW IF EXISTS filter_clipped;
ALTER TABLE filter_sequence_lines ALTER COLUMN geom SET COMPRESSION default;
ALTER TABLE filter_points ADD COLUMN kept boolean NOT NULL DEFAULT true, ADD COLUMN duplicate_of bigint;
COMMENT ON TABLE filter_points IS 'Clipped + classified images of each filter result; kept = survived spacing.';
-- The earlier schema stored every clipped image: each result recomputes on its next run.
DELETE FROM filter_sequences;
UPDATE filter_results SET state = 'running';
