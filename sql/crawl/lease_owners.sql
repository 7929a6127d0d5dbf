-- $1 crawl id: workers that hold running tasks.
SELECT DISTINCT lease_owner FROM crawl_tasks
WHERE crawl_id = $1 AND state = 'running' AND lease_owner IS NOT NULL;
