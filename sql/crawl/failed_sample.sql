-- $1 crawl id: a few failed tasks and why, for the end-of-run message.
SELECT kind, key, last_error FROM crawl_tasks WHERE crawl_id = $1 AND state = 'failed' ORDER BY id LIMIT 3;
