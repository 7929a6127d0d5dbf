-- A new generation of job $1: batches of $4 images of result $2 (name), class $3, as id
-- ranges (first_id, last_id]; the last reaches the largest bigint so that images a filter
-- rerun adds later are covered. Runs after clear.sql, in one transaction with lock_job.sql.
WITH numbered AS (
    SELECT image_id, (row_number() OVER (ORDER BY image_id) - 1) / $4 AS batch_no
    FROM filter_points
    WHERE result_name = $2 AND ($3 = 'all' OR class = $3)
), batches AS (
    SELECT batch_no, max(image_id) AS last_id, count(*) AS images FROM numbered GROUP BY batch_no
)
INSERT INTO image_download_batches (job_id, batch_no, first_id, last_id, images)
SELECT $1, batch_no,
       coalesce(lag(last_id) OVER (ORDER BY batch_no), 0),
       CASE WHEN batch_no = max(batch_no) OVER () THEN 9223372036854775807 ELSE last_id END,
       images
FROM batches
