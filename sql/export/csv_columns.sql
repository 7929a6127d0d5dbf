-- The CSV columns of an export (etl/export/csv_export.py COLUMNS), formatted from rows
-- shaped like filter_points: the inner query gives those columns, in the order to write
-- (shard_rows.sql; diff_only.sql and diff_changed.sql for `mlyetl results diff`).
-- lon/lat are double precision: with extra_float_digits = 1 PostgreSQL prints the shortest
-- text that reads back to the same double, so coordinates round-trip exactly.
-- The session TimeZone is UTC, so to_char needs no AT TIME ZONE.
SELECT image_id, sequence_id,
       to_char(captured_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS captured_at,
       round(date_part('epoch', captured_at) * 1000)::bigint AS captured_at_ms,
       ST_X(geom) AS lon,
       ST_Y(geom) AS lat,
       class,
       compass_angle,
       CASE WHEN is_pano THEN 'true' ELSE 'false' END AS is_pano,
       width, height, make, model, creator_username, altitude, cell_id
FROM (
{rows}
) sorted
