-- Where job $1 stands: its generation, whether that generation retries failed images,
-- and its batches by state (expired: running under a lease that ran out).
SELECT j.generation, j.retry_failed,
       count(b.batch_no) FILTER (WHERE b.state = 'pending') AS pending,
       count(b.batch_no) FILTER (WHERE b.state = 'running') AS running,
       count(b.batch_no) FILTER (WHERE b.state = 'running' AND b.lease_until < clock_timestamp()) AS expired,
       count(b.batch_no) FILTER (WHERE b.state = 'done') AS done
FROM image_download_jobs j
LEFT JOIN image_download_batches b ON b.job_id = j.id
WHERE j.id = $1
GROUP BY j.id
