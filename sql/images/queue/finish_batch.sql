-- Worker $3 finished batch $2 of job $1 ($4 images done, $5 failed). Only while it still
-- holds the lease: a batch taken over by another worker is that worker's to finish.
UPDATE image_download_batches
SET state = 'done', lease_owner = NULL, lease_until = NULL, done = $4, failed = $5, updated_at = now()
WHERE job_id = $1 AND batch_no = $2 AND lease_owner = $3 AND state = 'running'
