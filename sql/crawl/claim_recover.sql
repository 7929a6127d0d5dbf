-- $1 crawl id, $2 worker id, $3 lease (seconds), $4 ids of the tasks the worker knows it holds.
-- After a claim lost its connection: tasks running under our lease that we never heard of
-- are those the lost claim committed. They are given back to the claim (lease refreshed,
-- the attempt already counted) instead of staying leased to us with nobody working on them.
UPDATE crawl_tasks t
SET lease_expires_at = now() + make_interval(secs => $3), updated_at = now()
WHERE t.crawl_id = $1 AND t.lease_owner = $2 AND t.state = 'running' AND t.id <> ALL($4::bigint[])
RETURNING t.id, t.kind, t.key, t.depth, t.inside, t.attempts, t.image_ids, t.sequence_ids;
