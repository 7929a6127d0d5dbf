-- Worker $2 extends the lease of its running batches of job $1 by $3 seconds.
UPDATE image_download_batches
SET lease_until = clock_timestamp() + make_interval(secs => $3)
WHERE job_id = $1 AND lease_owner = $2 AND state = 'running'
