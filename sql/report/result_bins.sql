-- One pass over a result's clipped images (result_clipped.sql, put in place below): images
-- counted per map cell at zoom levels 2, 4, ..., 12 and per capture year, as kept urban
-- (ku), kept other (ko), dropped urban (du) and dropped other (dn) images. Dropped: clipped
-- but not kept (thinned by spacing, or a duplicate): the clipped images' counts less the
-- kept ones' (filter_points, a small table), so the pass over images joins nothing more.
-- Cells are Web Mercator squares of 8 pixels at their zoom level (as Leaflet draws them):
-- x12 / y12 number the cells of level 12 (2^17 across the world, ~200 m at mid latitudes),
-- a coarser level's cell is x12 >> (12 - level). etl/report/grid.py computes the same.
-- The images are counted per level-12 cell and year first (parallel aggregates), the
-- levels and years from those rows (grouping sets do not run in parallel).
-- $1..$6 as in result_clipped.sql
WITH clipped AS MATERIALIZED (
    SELECT x12, y12, extract(year FROM captured_at AT TIME ZONE 'UTC')::int AS year,
           count(*) FILTER (WHERE urban) AS cu, count(*) FILTER (WHERE NOT urban) AS co
    FROM ({clipped}) p
    GROUP BY 1, 2, 3
),
kept AS MATERIALIZED (
    SELECT least(greatest(floor((ST_X(geom) + 180.0) / 360.0 * 131072), 0), 131071)::int AS x12,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 131072), 0), 131071)::int AS y12,
           extract(year FROM captured_at AT TIME ZONE 'UTC')::int AS year,
           count(*) FILTER (WHERE class = 'urban') AS ku, count(*) FILTER (WHERE class = 'other') AS ko
    FROM filter_points
    WHERE result_name = $1
    GROUP BY 1, 2, 3
),
fine AS (
    SELECT x12, y12, year, coalesce(k.ku, 0) AS ku, coalesce(k.ko, 0) AS ko,
           greatest(coalesce(c.cu, 0) - coalesce(k.ku, 0), 0) AS du,
           greatest(coalesce(c.co, 0) - coalesce(k.ko, 0), 0) AS dn
    FROM clipped c FULL JOIN kept k USING (x12, y12, year)
)
-- g: GROUPING() of the seven sets' first columns (a bit is 1 where a column is not grouped):
-- which level (or the years) a row counts; x / y: its cell at that level.
SELECT GROUPING(x12 >> 10, x12 >> 8, x12 >> 6, x12 >> 4, x12 >> 2, x12, year) AS g,
       coalesce(x12 >> 10, x12 >> 8, x12 >> 6, x12 >> 4, x12 >> 2, x12) AS x,
       coalesce(y12 >> 10, y12 >> 8, y12 >> 6, y12 >> 4, y12 >> 2, y12) AS y, year,
       sum(ku)::bigint AS ku, sum(ko)::bigint AS ko, sum(du)::bigint AS du, sum(dn)::bigint AS dn
FROM fine
GROUP BY GROUPING SETS ((x12 >> 10, y12 >> 10), (x12 >> 8, y12 >> 8), (x12 >> 6, y12 >> 6), (x12 >> 4, y12 >> 4),
                        (x12 >> 2, y12 >> 2), (x12, y12), (year));
