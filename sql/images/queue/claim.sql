-- Claim up to $2 batches of job $1 for worker $3 under a lease of $4 seconds: pending ones,
-- and running ones whose lease ran out (their worker died or stalled). SKIP LOCKED lets
-- concurrent workers claim disjoint batches without waiting. Returns whether this
-- generation retries failed images.
WITH picked AS (
    SELECT job_id, batch_no FROM image_download_batches
    WHERE job_id = $1 AND (state = 'pending' OR (state = 'running' AND lease_until < clock_timestamp()))
    ORDER BY batch_no
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE image_download_batches b
SET state = 'running', lease_owner = $3, lease_until = clock_timestamp() + make_interval(secs => $4),
    attempts = b.attempts + 1, updated_at = now()
FROM picked, image_download_jobs j
WHERE b.job_id = picked.job_id AND b.batch_no = picked.batch_no AND j.id = b.job_id
RETURNING b.batch_no, b.first_id, b.last_id, b.images, b.attempts, j.retry_failed
