-- Fill export_plan for result $1, class $2 ('urban' | 'other' | 'all'), $3 shards.
-- Each sequence's kept rows of the class come from its line's counts (one row per
-- sequence, written with its points by the filter), not from a count over the points.
-- Sequences in a stable pseudo-random order (md5 spreads them across the map);
-- a sequence goes to shard floor(rows_before_it * shards / total): the shards cut the
-- cumulative row count into equal ranges, and a sequence is never split, so no shard
-- holds more than the mean plus the largest sequence.
INSERT INTO export_plan (sequence_id, shard, ord, n)
SELECT sequence_id,
       ((cum - n) * $3 / total)::integer,  -- bigint division of non-negatives: the floor
       ord,
       n
FROM (
    SELECT sequence_id, n,
           row_number() OVER w AS ord,
           (sum(n) OVER w)::bigint AS cum,
           (sum(n) OVER ())::bigint AS total
    FROM (
        SELECT sequence_id,
               CASE $2 WHEN 'urban' THEN kept_urban_count WHEN 'other' THEN kept_other_count
                       ELSE kept_count END AS n
        FROM filter_sequence_lines
        WHERE result_name = $1
    ) per_sequence
    WHERE n > 0
    WINDOW w AS (ORDER BY md5(sequence_id), sequence_id ROWS UNBOUNDED PRECEDING)
) ordered
