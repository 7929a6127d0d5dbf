-- $1 crawl id: mark the crawl finished when nothing is left to do or failed.
UPDATE crawls SET finished_at = now()
WHERE id = $1 AND NOT EXISTS (
    SELECT 1 FROM crawl_tasks WHERE crawl_id = $1 AND state IN ('pending', 'running', 'failed'));
