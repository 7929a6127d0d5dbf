-- The finished batches of job $1 go before a new generation is seeded.
DELETE FROM image_download_batches WHERE job_id = $1
