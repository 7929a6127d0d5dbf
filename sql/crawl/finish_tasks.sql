-- $1 worker id, $2 ids, $3 states (done | empty | split | failed | retry), $4 result counts,
-- $5 errors, $6 most attempts. 'retry' goes back to pending until attempts run out.
-- Only tasks this worker still holds are changed (a lost lease means another took it).
UPDATE crawl_tasks t
SET state = CASE WHEN u.state <> 'retry' THEN u.state
                 WHEN t.attempts >= $6 THEN 'failed' ELSE 'pending' END,
    result_count = u.n, last_error = u.err,
    lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[]) AS u(id, state, n, err)
WHERE t.id = u.id AND t.lease_owner = $1 AND t.state = 'running'
RETURNING t.id, t.state;
