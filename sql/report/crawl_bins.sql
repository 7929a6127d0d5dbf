-- One pass over the images inside a crawl's area: counted per map cell at zoom levels 2,
-- 4, ..., 14 and per capture year (cells as in result_bins.sql). $1 crawl id
WITH p AS (
    SELECT extract(year FROM i.captured_at AT TIME ZONE 'UTC')::int AS year,
           least(greatest(floor((ST_X(i.geom) + 180.0) / 360.0 * 524288), 0), 524287)::int AS x14,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(i.geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 524288), 0), 524287)::int AS y14
    FROM images i
    WHERE i.deleted_at IS NULL
      AND EXISTS (SELECT 1 FROM crawl_area_parts a WHERE a.crawl_id = $1 AND ST_Intersects(a.geom, i.geom))
)
SELECT x14 >> 12 AS x2, y14 >> 12 AS y2, x14 >> 10 AS x4, y14 >> 10 AS y4, x14 >> 8 AS x6, y14 >> 8 AS y6,
       x14 >> 6 AS x8, y14 >> 6 AS y8, x14 >> 4 AS x10, y14 >> 4 AS y10, x14 >> 2 AS x12, y14 >> 2 AS y12,
       x14, y14, year, GROUPING(year) AS by_cell, count(*) AS n
FROM p
GROUP BY GROUPING SETS ((x14 >> 12, y14 >> 12), (x14 >> 10, y14 >> 10), (x14 >> 8, y14 >> 8), (x14 >> 6, y14 >> 6),
                        (x14 >> 4, y14 >> 4), (x14 >> 2, y14 >> 2), (x14, y14), (year));
