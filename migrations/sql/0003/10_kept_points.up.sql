-- Filter results keep only their kept images (the dataset) in filter_points; the walk
-- writes one summary row per sequence instead of one row per clipped image (docs/filters.md).
-- Every clipped and classified image stays queryable through the view filter_clipped.

-- A result whose partition was never attached (its first run was killed before the end)
-- is started over by its next run: its partial rows were written for the old columns.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT fr.name, fr.id FROM filter_results fr
        WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i
                          WHERE i.inhparent = 'public.filter_points'::regclass
                            AND i.inhrelid = to_regclass(format('public.filter_points_r%s', fr.id)))
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS public.%I', 'filter_points_r' || r.id);
        DELETE FROM filter_sequence_lines WHERE result_name = r.name;
        DELETE FROM filter_sequences WHERE result_name = r.name;
        UPDATE filter_results SET state = 'running' WHERE name = r.name;
    END LOOP;
END
$$;

DELETE FROM filter_points WHERE NOT kept;
ALTER TABLE filter_points DROP COLUMN kept, DROP COLUMN duplicate_of;
-- The dataset carries the attributes that export writes (copied from images when the
-- result is computed, as export presents them: the computed compass angle and altitude
-- when the position is the computed one): an export reads only its result's rows, and a
-- QGIS layer of a result shows them, whatever the size of images.
ALTER TABLE filter_points
    ADD COLUMN captured_at      timestamptz,
    ADD COLUMN compass_angle    double precision,
    ADD COLUMN altitude         double precision,
    ADD COLUMN is_pano          boolean,
    ADD COLUMN width            integer,
    ADD COLUMN height           integer,
    ADD COLUMN make             text,
    ADD COLUMN model            text,
    ADD COLUMN creator_username text;
UPDATE filter_points fp
SET captured_at = i.captured_at,
    compass_angle = CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
                         ELSE i.compass_angle END,
    altitude = CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude) ELSE i.altitude END,
    is_pano = i.is_pano, width = i.width, height = i.height, make = i.make, model = i.model,
    creator_username = i.creator_username
FROM images i
WHERE i.id = fp.image_id;
COMMENT ON TABLE filter_points IS
    'Kept images of each filter result (the dataset): class, position and the exported attributes; one partition filter_points_r<id> per result.';

-- Every clipped and classified image of each result, computed on demand from the current
-- images and the result's layers (as the filter does: borders are inside, the urban
-- layer decides the class, the --exclude-result's kept images are left out): equal to what
-- the last run used while the result is up to date. kept: in filter_points; duplicate_of:
-- the lowest id of the same sequence with the same capture time and position.
-- Ask for one result (result_name = ...) and, at scale, an area or some sequences.
CREATE VIEW filter_clipped AS
SELECT r.name AS result_name,
       i.id AS image_id,
       i.sequence_id,
       i.captured_at,
       CASE WHEN coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false) THEN 'urban' ELSE 'other' END AS class,
       EXISTS (SELECT 1 FROM filter_points p WHERE p.result_name = r.name AND p.image_id = i.id) AS kept,
       (SELECT min(d.id) FROM images d
        WHERE d.sequence_id = i.sequence_id AND d.captured_at = i.captured_at AND d.id < i.id
          AND d.deleted_at IS NULL AND ST_X(d.geom) = ST_X(i.geom) AND ST_Y(d.geom) = ST_Y(i.geom)
          AND NOT EXISTS (SELECT 1 FROM filter_points e
                          WHERE e.result_name = r.params ->> 'exclude_result' AND e.image_id = d.id)) AS duplicate_of,
       i.geom
FROM filter_results r
JOIN boundary_layers cl ON cl.id = (r.layers #>> '{continent,id}')::integer
JOIN boundary_layers ul ON ul.id = (r.layers #>> '{urban,id}')::integer
JOIN images i ON i.deleted_at IS NULL
JOIN boundary_cells c ON c.layer_id = cl.id
                     AND c.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), cl.cell_size)
LEFT JOIN boundary_cells u ON u.layer_id = ul.id
                          AND u.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), ul.cell_size)
WHERE (c.covered OR ST_Intersects(c.geom, i.geom))
  AND NOT EXISTS (SELECT 1 FROM filter_points e
                  WHERE e.result_name = r.params ->> 'exclude_result' AND e.image_id = i.id);
COMMENT ON VIEW filter_clipped IS
    'Every clipped + classified image of each filter result (computed on demand); kept = in filter_points.';

-- Sequence lines are mostly 1-3 kB: lz4 compresses them several times faster than the
-- default pglz (writing a result's lines). Servers built without lz4 keep pglz.
DO $$
BEGIN
    ALTER TABLE filter_sequence_lines ALTER COLUMN geom SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 not available on this server: sequence lines stay pglz-compressed';
END
$$;
