-- One pass over a result's clipped images (the filter_clipped view): images counted per
-- map cell at zoom levels 2, 4, ..., 14 and per capture year, as kept urban (ku), kept
-- other (ko), dropped urban (du) and dropped other (dn) images. Dropped: clipped but not
-- kept (thinned by spacing, or a duplicate).
-- Cells are Web Mercator squares of 8 pixels at their zoom level (as Leaflet draws them):
-- x14 / y14 number the cells of level 14 (2^19 across the world), a coarser level's cell
-- is x14 >> (14 - level). etl/report/grid.py computes the same numbers.
-- $1 result name
WITH p AS (
    SELECT c.class = 'urban' AS urban, c.kept,
           extract(year FROM c.captured_at AT TIME ZONE 'UTC')::int AS year,
           least(greatest(floor((ST_X(c.geom) + 180.0) / 360.0 * 524288), 0), 524287)::int AS x14,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(c.geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 524288), 0), 524287)::int AS y14
    FROM filter_clipped c
    WHERE c.result_name = $1
)
SELECT x14 >> 12 AS x2, y14 >> 12 AS y2, x14 >> 10 AS x4, y14 >> 10 AS y4, x14 >> 8 AS x6, y14 >> 8 AS y6,
       x14 >> 6 AS x8, y14 >> 6 AS y8, x14 >> 4 AS x10, y14 >> 4 AS y10, x14 >> 2 AS x12, y14 >> 2 AS y12,
       x14, y14, year, GROUPING(year) AS by_cell,
       count(*) FILTER (WHERE kept AND urban) AS ku, count(*) FILTER (WHERE kept AND NOT urban) AS ko,
       count(*) FILTER (WHERE NOT kept AND urban) AS du, count(*) FILTER (WHERE NOT kept AND NOT urban) AS dn
FROM p
GROUP BY GROUPING SETS ((x14 >> 12, y14 >> 12), (x14 >> 10, y14 >> 10), (x14 >> 8, y14 >> 8), (x14 >> 6, y14 >> 6),
                        (x14 >> 4, y14 >> 4), (x14 >> 2, y14 >> 2), (x14, y14), (year));
