-- $1 crawl id: cut the area into pieces of at most 64 vertices for fast point tests.
INSERT INTO crawl_area_parts (crawl_id, geom)
SELECT c.id, ST_Subdivide(ST_Force2D(c.area), 64)
FROM crawls c WHERE c.id = $1;
