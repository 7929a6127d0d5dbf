-- $1 crawl id, $2 lease owner: give back the running tasks of a worker that is gone
-- (or of ourselves when stopping); the interrupted attempt is not counted.
UPDATE crawl_tasks
SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL,
    attempts = greatest(attempts - 1, 0), updated_at = now()
WHERE crawl_id = $1 AND lease_owner = $2 AND state = 'running';
