-- Serialises seeding: $1 job id. Returns the generation and whether any batch is still open.
SELECT j.generation, j.retry_failed,
       EXISTS (SELECT 1 FROM image_download_batches b WHERE b.job_id = j.id AND b.state <> 'done') AS open
FROM image_download_jobs j
WHERE j.id = $1
FOR UPDATE OF j
