-- Fill export_plan for result $1, class $2 ('urban' | 'other' | 'all'), $3 shards.
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
        SELECT sequence_id, count(*)::integer AS n
        FROM filter_points
        WHERE result_name = $1 AND ($2 = 'all' OR class = $2)
        GROUP BY sequence_id
    ) per_sequence
    WINDOW w AS (ORDER BY md5(sequence_id), sequence_id ROWS UNBOUNDED PRECEDING)
) ordered
