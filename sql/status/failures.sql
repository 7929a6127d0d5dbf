-- The most common failure reasons, crawl tasks and image downloads together.
SELECT 'crawl ' || kind AS stage, coalesce(last_error, '?') AS reason, count(*) AS n
FROM crawl_tasks WHERE state = 'failed' GROUP BY 1, 2
UNION ALL
SELECT 'images ' || size, coalesce(error, '?'), count(*)
FROM image_downloads WHERE state = 'failed' GROUP BY 1, 2
ORDER BY n DESC
LIMIT $1;
