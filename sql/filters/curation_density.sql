-- Kept-image density of result $1 before and after curation, for the report's map: the
-- images spacing kept (before: a curated result's filter_candidates; without curation its
-- filter_points, so before = after) and the dataset (after: filter_points), counted per
-- map cell at zoom levels 2, 4, ..., 14, as before urban (bu), before other (bo), after
-- urban (au), after other (ao). Cells are those of sql/report/result_bins.sql (Web
-- Mercator squares of 8 pixels at their zoom level; x14 / y14 number the cells of level
-- 14, a coarser level's cell is x14 >> (14 - level); etl/report/grid.py computes the same),
-- plus one row per capture year (by_cell = 1 marks the cell rows, as there), so the rows
-- feed etl/report/bins.py's read_bins with columns ("bu", "bo", "au", "ao").
-- One pass over each table (a few percent of the images).
WITH curated AS (
    SELECT to_regclass(format('filter_candidates_r%s', r.id)) IS NOT NULL AS yes
    FROM filter_results r WHERE r.name = $1
),
p AS (
    SELECT class = 'urban' AS urban, true AS before, false AS after, geom, captured_at
    FROM filter_candidates WHERE result_name = $1
    UNION ALL
    SELECT class = 'urban', NOT (SELECT yes FROM curated), true, geom, captured_at
    FROM filter_points WHERE result_name = $1
),
cells AS (
    SELECT urban, before, after, extract(year FROM captured_at AT TIME ZONE 'UTC')::int AS year,
           least(greatest(floor((ST_X(geom) + 180.0) / 360.0 * 524288), 0), 524287)::int AS x14,
           least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(geom), -85.0511), 85.0511)) / 2))
                                 / pi()) / 2 * 524288), 0), 524287)::int AS y14
    FROM p
)
SELECT x14 >> 12 AS x2, y14 >> 12 AS y2, x14 >> 10 AS x4, y14 >> 10 AS y4, x14 >> 8 AS x6, y14 >> 8 AS y6,
       x14 >> 6 AS x8, y14 >> 6 AS y8, x14 >> 4 AS x10, y14 >> 4 AS y10, x14 >> 2 AS x12, y14 >> 2 AS y12,
       x14, y14, year, GROUPING(year) AS by_cell,
       count(*) FILTER (WHERE before AND urban) AS bu, count(*) FILTER (WHERE before AND NOT urban) AS bo,
       count(*) FILTER (WHERE after AND urban) AS au, count(*) FILTER (WHERE after AND NOT urban) AS ao
FROM cells
GROUP BY GROUPING SETS ((x14 >> 12, y14 >> 12), (x14 >> 10, y14 >> 10), (x14 >> 8, y14 >> 8), (x14 >> 6, y14 >> 6),
                        (x14 >> 4, y14 >> 4), (x14 >> 2, y14 >> 2), (x14, y14), (year));
