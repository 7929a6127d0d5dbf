-- A crawl's box and tile tasks that were not split into smaller ones (split tasks are
-- covered by their children), failed and unfinished ones first, at most $2.
-- $1 crawl id, $2 limit
SELECT kind, key, state, attempts, result_count, last_error,
       ST_XMin(geom) AS w, ST_YMin(geom) AS s, ST_XMax(geom) AS e, ST_YMax(geom) AS n
FROM crawl_tasks
WHERE crawl_id = $1 AND geom IS NOT NULL AND state <> 'split'
ORDER BY CASE state WHEN 'failed' THEN 0 WHEN 'running' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END, id
LIMIT $2;
