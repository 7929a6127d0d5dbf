-- Job $1 starts generation $2; $3: it retries failed images.
UPDATE image_download_jobs SET generation = $2, retry_failed = $3, seeded_at = clock_timestamp() WHERE id = $1
