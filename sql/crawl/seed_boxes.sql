-- $1 crawl id, $2 box size (degrees). A grid aligned on multiples of the box size
-- (so the same area always gives the same keys), keeping boxes that touch the area.
-- Candidate cells come from each small area part's own extent, not from the area's
-- bounding box: a continent's bbox is mostly sea and other continents.
-- (the 1e-9 keeps float noise such as 6.6 / 0.025 = 263.99999 from adding a column)
WITH cells AS (
    SELECT DISTINCT i, j
    FROM crawl_area_parts p,
         generate_series(floor(ST_XMin(p.geom) / $2::float8 + 1e-9)::int,
                         greatest(ceil(ST_XMax(p.geom) / $2::float8 - 1e-9)::int - 1,
                                  floor(ST_XMin(p.geom) / $2::float8 + 1e-9)::int)) AS i,
         generate_series(floor(ST_YMin(p.geom) / $2::float8 + 1e-9)::int,
                         greatest(ceil(ST_YMax(p.geom) / $2::float8 - 1e-9)::int - 1,
                                  floor(ST_YMin(p.geom) / $2::float8 + 1e-9)::int)) AS j
    WHERE p.crawl_id = $1
),
grid AS (
    SELECT ST_MakeEnvelope(round((i * $2)::numeric, 9)::float8, round((j * $2)::numeric, 9)::float8,
                           round(((i + 1) * $2)::numeric, 9)::float8, round(((j + 1) * $2)::numeric, 9)::float8,
                           4326) AS box
    FROM cells
)
INSERT INTO crawl_tasks (crawl_id, kind, key, depth, geom, inside)
SELECT $1, 'box',
       concat_ws(',', ST_XMin(g.box)::text, ST_YMin(g.box)::text, ST_XMax(g.box)::text, ST_YMax(g.box)::text),
       0, g.box,
       -- inside: covered by one small part (a cheap test; a box across parts just gets the point test)
       EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_CoveredBy(g.box, p.geom))
FROM grid g
WHERE EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, g.box))
ON CONFLICT (crawl_id, kind, key) DO NOTHING;
