-- The job of result $1 (name), class $2, size $3, destination $4, resize $5 (0: none),
-- created on first use. Returns its id, or nothing when the result does not exist.
WITH result AS (
    SELECT id FROM filter_results WHERE name = $1
), created AS (
    INSERT INTO image_download_jobs (result_id, class, size, destination, resize)
    SELECT id, $2, $3, $4, $5 FROM result
    ON CONFLICT (result_id, class, size, destination, resize) DO NOTHING
    RETURNING id
)
SELECT id FROM created
UNION ALL
SELECT j.id FROM image_download_jobs j JOIN result r ON j.result_id = r.id
WHERE j.class = $2 AND j.size = $3 AND j.destination = $4 AND j.resize = $5
LIMIT 1
