-- The clipped images of a result inside the given map cells (those with few images), with
-- what a click on the map shows: the attributes (a kept image's as its result stored them,
-- as export presents them) and the path of a downloaded picture (the smallest size there is).
-- $1 result name, $2 level shift (14 - level), $3 cells' x, $4 cells' y (as result_bins.sql)
WITH cells AS (SELECT * FROM unnest($3::int[], $4::int[]) AS c (cx, cy)),
p AS (
    SELECT c.*,
           least(greatest(floor((ST_X(c.geom) + 180.0) / 360.0 * 524288), 0), 524287)::int AS x14,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(c.geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 524288), 0), 524287)::int AS y14
    FROM filter_clipped c
    WHERE c.result_name = $1
)
SELECT p.image_id, p.sequence_id, extract(epoch FROM p.captured_at)::bigint AS captured,
       p.class, p.kept, p.duplicate_of, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
       coalesce(fp.compass_angle, CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
                                       ELSE i.compass_angle END) AS compass_angle,
       coalesce(fp.altitude, CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude)
                                  ELSE i.altitude END) AS altitude,
       coalesce(fp.is_pano, i.is_pano) AS is_pano, coalesce(fp.width, i.width) AS width,
       coalesce(fp.height, i.height) AS height, coalesce(fp.make, i.make) AS make,
       coalesce(fp.model, i.model) AS model, coalesce(fp.creator_username, i.creator_username) AS creator_username,
       pic.path AS picture
FROM p
JOIN cells ON cells.cx = p.x14 >> $2 AND cells.cy = p.y14 >> $2
JOIN images i ON i.id = p.image_id
LEFT JOIN filter_points fp ON fp.result_name = $1 AND fp.image_id = p.image_id
LEFT JOIN LATERAL (
    SELECT d.path FROM image_downloads d
    WHERE d.image_id = p.image_id AND d.state = 'done' AND d.path IS NOT NULL
    ORDER BY CASE d.size WHEN '256' THEN 0 WHEN '1024' THEN 1 WHEN '2048' THEN 2 ELSE 3 END
    LIMIT 1
) pic ON true
ORDER BY p.image_id;
