-- Workers holding running batches of job $1.
SELECT DISTINCT lease_owner FROM image_download_batches WHERE job_id = $1 AND state = 'running'
