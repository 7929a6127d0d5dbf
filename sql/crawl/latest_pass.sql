-- $1 an area's first crawl: its latest pass (the first crawl itself when never updated), and
-- whether that pass still has work (pending or running tasks).
SELECT c.id, c.pass,
       EXISTS (SELECT 1 FROM crawl_tasks t WHERE t.crawl_id = c.id AND t.state IN ('pending', 'running')) AS open
FROM crawls c
WHERE c.id = $1 OR c.base_id = $1
ORDER BY c.pass DESC
LIMIT 1;
