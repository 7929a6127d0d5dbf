-- $1 crawl id, $2 box size (degrees). A grid aligned on multiples of the box size
-- (so the same area always gives the same keys), keeping boxes that touch the area.
WITH c AS (SELECT id, area, ST_XMin(area) AS w, ST_YMin(area) AS s, ST_XMax(area) AS e, ST_YMax(area) AS n
           FROM crawls WHERE id = $1),
-- (the 1e-9 keeps float noise such as 6.6 / 0.025 = 263.99999 from adding a column)
grid AS (
    SELECT c.id AS crawl_id,
           ST_MakeEnvelope(round((i * $2)::numeric, 9)::float8, round((j * $2)::numeric, 9)::float8,
                           round(((i + 1) * $2)::numeric, 9)::float8, round(((j + 1) * $2)::numeric, 9)::float8,
                           4326) AS box
    FROM c,
         generate_series(floor(c.w / $2::float8 + 1e-9)::int, ceil(c.e / $2::float8 - 1e-9)::int - 1) AS i,
         generate_series(floor(c.s / $2::float8 + 1e-9)::int, ceil(c.n / $2::float8 - 1e-9)::int - 1) AS j
)
INSERT INTO crawl_tasks (crawl_id, kind, key, depth, geom, inside)
SELECT g.crawl_id, 'box',
       concat_ws(',', ST_XMin(g.box)::text, ST_YMin(g.box)::text, ST_XMax(g.box)::text, ST_YMax(g.box)::text),
       0, g.box, ST_CoveredBy(g.box, c.area)
FROM grid g CROSS JOIN c
WHERE EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = g.crawl_id AND ST_Intersects(p.geom, g.box))
ON CONFLICT (crawl_id, kind, key) DO NOTHING;
