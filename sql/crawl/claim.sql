-- $1 crawl id, $2 how many, $3 worker id, $4 lease (seconds).
-- Pending tasks, and running ones whose lease ran out (their worker died).
-- SKIP LOCKED lets concurrent crawlers claim disjoint tasks without waiting.
WITH picked AS (
    SELECT id FROM crawl_tasks
    WHERE crawl_id = $1
      AND (state = 'pending' OR (state = 'running' AND lease_expires_at < now()))
    ORDER BY id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE crawl_tasks t
SET state = 'running', lease_owner = $3, lease_expires_at = now() + make_interval(secs => $4),
    attempts = t.attempts + 1, updated_at = now()
FROM picked
WHERE t.id = picked.id
RETURNING t.id, t.kind, t.key, t.depth, t.inside, t.attempts, t.image_ids, t.sequence_ids;
