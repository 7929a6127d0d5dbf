-- The CSV rows of the shards in $2 (result $1, class $3), ordered by shard, then plan
-- order (whole sequences), then capture time and id: the Python side cuts this one
-- stream into files by the plan's row counts, so PostgreSQL scans and sorts only once.
-- lon/lat are double precision: with extra_float_digits = 1 PostgreSQL prints the shortest
-- text that reads back to the same double, so coordinates round-trip exactly.
SELECT fp.image_id,
       fp.sequence_id,
       to_char(i.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS captured_at,
       round(date_part('epoch', i.captured_at) * 1000)::bigint AS captured_at_ms,
       ST_X(i.geom) AS lon,
       ST_Y(i.geom) AS lat,
       fp.class,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
            ELSE i.compass_angle END AS compass_angle,
       CASE WHEN i.is_pano THEN 'true' ELSE 'false' END AS is_pano,
       i.width,
       i.height,
       i.make,
       i.model,
       i.creator_username,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude)
            ELSE i.altitude END AS altitude
FROM export_plan p
JOIN filter_points fp ON fp.result_name = $1 AND fp.sequence_id = p.sequence_id
JOIN images i ON i.id = fp.image_id
WHERE p.shard = ANY($2::integer[]) AND fp.kept AND ($3 = 'all' OR fp.class = $3)
ORDER BY p.shard, p.ord, i.captured_at, i.id
