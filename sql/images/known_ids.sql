-- Which of ids $2 belong to result $1 at all (to report shard rows that do not).
SELECT image_id FROM filter_points WHERE result_name = $1 AND image_id = ANY($2::bigint[])
