-- Give the running batches of worker $2 in job $1 back (a clean stop, or a dead worker).
UPDATE image_download_batches
SET state = 'pending', lease_owner = NULL, lease_until = NULL, updated_at = now()
WHERE job_id = $1 AND lease_owner = $2 AND state = 'running'
