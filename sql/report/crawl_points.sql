-- The images inside a crawl's area and inside the given map cells, with what a click shows.
-- $1 crawl id, $2 level shift (12 - level), $3 cells' x, $4 cells' y (as result_bins.sql)
WITH cells AS (SELECT * FROM unnest($3::int[], $4::int[]) AS c (cx, cy)),
p AS (
    SELECT i.*,
           least(greatest(floor((ST_X(i.geom) + 180.0) / 360.0 * 131072), 0), 131071)::int AS x12,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(i.geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 131072), 0), 131071)::int AS y12
    FROM images i
    WHERE i.deleted_at IS NULL
      AND EXISTS (SELECT 1 FROM crawl_area_parts a WHERE a.crawl_id = $1 AND ST_Intersects(a.geom, i.geom))
)
SELECT p.id AS image_id, p.sequence_id, extract(epoch FROM p.captured_at)::bigint AS captured,
       ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, p.compass_angle, p.altitude, p.is_pano, p.width, p.height,
       p.make, p.model, p.creator_username,
       (SELECT d.path FROM image_downloads d
        WHERE d.image_id = p.id AND d.state = 'done' AND d.path IS NOT NULL
        ORDER BY CASE d.size WHEN '256' THEN 0 WHEN '1024' THEN 1 WHEN '2048' THEN 2 ELSE 3 END
        LIMIT 1) AS picture
FROM p
JOIN cells ON cells.cx = p.x12 >> $2 AND cells.cy = p.y12 >> $2;
