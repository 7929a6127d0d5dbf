-- $1 worker id, $2 lease (seconds): keep our running tasks ours while we work on them.
UPDATE crawl_tasks SET lease_expires_at = now() + make_interval(secs => $2)
WHERE lease_owner = $1 AND state = 'running';
