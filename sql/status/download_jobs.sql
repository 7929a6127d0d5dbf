-- Image download jobs with their current generation's batches (mlyetl images download).
SELECT fr.name AS result, j.id AS job, j.class, j.size, j.destination, j.resize, j.generation,
       count(b.batch_no) FILTER (WHERE b.state = 'pending') AS pending,
       count(b.batch_no) FILTER (WHERE b.state = 'running') AS running,
       count(b.batch_no) FILTER (WHERE b.state = 'done') AS done,
       coalesce(sum(b.images), 0)::bigint AS images,
       coalesce(sum(b.done), 0)::bigint AS images_done,
       coalesce(sum(b.failed), 0)::bigint AS images_failed
FROM image_download_jobs j
JOIN filter_results fr ON fr.id = j.result_id
LEFT JOIN image_download_batches b ON b.job_id = j.id
GROUP BY fr.name, j.id
ORDER BY fr.name, j.id
