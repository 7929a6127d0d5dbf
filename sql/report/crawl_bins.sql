-- One pass over the images inside a crawl's area: counted per map cell at zoom levels 2,
-- 4, ..., 12 and per capture year (cells as in result_bins.sql, counted per level-12 cell
-- and year first). $1 crawl id
WITH fine AS MATERIALIZED (
    SELECT least(greatest(floor((ST_X(i.geom) + 180.0) / 360.0 * 131072), 0), 131071)::int AS x12,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(i.geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 131072), 0), 131071)::int AS y12,
           extract(year FROM i.captured_at AT TIME ZONE 'UTC')::int AS year, count(*) AS n
    FROM images i
    WHERE i.deleted_at IS NULL
      AND EXISTS (SELECT 1 FROM crawl_area_parts a WHERE a.crawl_id = $1 AND ST_Intersects(a.geom, i.geom))
    GROUP BY 1, 2, 3
)
-- g: GROUPING() of the seven sets' first columns (a bit is 1 where a column is not grouped):
-- which level (or the years) a row counts; x / y: its cell at that level.
SELECT GROUPING(x12 >> 10, x12 >> 8, x12 >> 6, x12 >> 4, x12 >> 2, x12, year) AS g,
       coalesce(x12 >> 10, x12 >> 8, x12 >> 6, x12 >> 4, x12 >> 2, x12) AS x,
       coalesce(y12 >> 10, y12 >> 8, y12 >> 6, y12 >> 4, y12 >> 2, y12) AS y, year,
       sum(n)::bigint AS n
FROM fine
GROUP BY GROUPING SETS ((x12 >> 10, y12 >> 10), (x12 >> 8, y12 >> 8), (x12 >> 6, y12 >> 6), (x12 >> 4, y12 >> 4),
                        (x12 >> 2, y12 >> 2), (x12, y12), (year));
