-- The columns of the Arrow batches (etl/export/batches.py SCHEMA) that the GeoPackage and
-- GeoParquet writers take, from rows shaped like filter_points: the inner query gives
-- those columns in the order to write (class_rows.sql; diff_only.sql and diff_changed.sql).
SELECT image_id,
       sequence_id,
       captured_at,
       round(date_part('epoch', captured_at) * 1000)::bigint AS captured_at_ms,
       ST_X(geom) AS lon,
       ST_Y(geom) AS lat,
       class,
       compass_angle,
       is_pano,
       width,
       height,
       make,
       model,
       creator_username,
       altitude,
       cell_id,
       ST_AsBinary(geom) AS geometry
FROM (
{rows}
) sorted
