DROP VIEW IF EXISTS filter_clipped;
ALTER TABLE filter_sequence_lines ALTER COLUMN geom SET COMPRESSION default;
ALTER TABLE filter_points DROP COLUMN captured_at, DROP COLUMN compass_angle, DROP COLUMN altitude,
    DROP COLUMN is_pano, DROP COLUMN width, DROP COLUMN height, DROP COLUMN make, DROP COLUMN model,
    DROP COLUMN creator_username;
ALTER TABLE filter_points ADD COLUMN kept boolean NOT NULL DEFAULT true, ADD COLUMN duplicate_of bigint;
COMMENT ON TABLE filter_points IS 'Clipped + classified images of each filter result; kept = survived spacing.';
-- The earlier schema stored every clipped image: each result recomputes on its next run.
DELETE FROM filter_sequences;
UPDATE filter_results SET state = 'running';
