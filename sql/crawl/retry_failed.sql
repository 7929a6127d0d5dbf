-- $1 crawl id: failed tasks become pending again with a fresh attempt budget.
UPDATE crawl_tasks SET state = 'pending', attempts = 0, last_error = NULL, updated_at = now()
WHERE crawl_id = $1 AND state = 'failed';
