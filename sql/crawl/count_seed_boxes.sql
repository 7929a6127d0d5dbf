-- $1 crawl id, $2 box size (degrees): at most how many first boxes seed_boxes.sql makes,
-- counted from the area parts' extents alone, before any box is made.
SELECT coalesce(sum((greatest(ceil(ST_XMax(p.geom) / $2::float8 - 1e-9) - 1, floor(ST_XMin(p.geom) / $2::float8 + 1e-9))
                     - floor(ST_XMin(p.geom) / $2::float8 + 1e-9) + 1)
                  * (greatest(ceil(ST_YMax(p.geom) / $2::float8 - 1e-9) - 1, floor(ST_YMin(p.geom) / $2::float8 + 1e-9))
                     - floor(ST_YMin(p.geom) / $2::float8 + 1e-9) + 1)), 0)::float8
FROM crawl_area_parts p
WHERE p.crawl_id = $1;
