-- Outcomes of size $1 for the images of result $2: how many done, failed, and why.
SELECT d.state, coalesce(d.error, '') AS error, count(*)::bigint AS n
FROM image_downloads d
JOIN filter_points fp ON fp.image_id = d.image_id AND fp.result_name = $2
WHERE d.size = $1
GROUP BY d.state, d.error
ORDER BY n DESC
