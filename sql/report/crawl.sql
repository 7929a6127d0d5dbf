-- A crawl and the box of its area. $1 crawl id
SELECT id, method, settings, created_at, finished_at,
       ST_XMin(area) AS minx, ST_YMin(area) AS miny, ST_XMax(area) AS maxx, ST_YMax(area) AS maxy
FROM crawls WHERE id = $1;
