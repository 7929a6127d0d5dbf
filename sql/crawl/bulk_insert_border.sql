-- $1 crawl id. Bulk load: the staged border rows whose point is in the area go straight
-- into images (no key yet: duplicates are removed once, when the load finishes).
-- The staging table is LIKE images, so its columns are images' own, in the same order.
INSERT INTO images
SELECT b.* FROM crawl_staging_border b
WHERE EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, b.geom))
