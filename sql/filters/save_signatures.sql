-- Bucket $2 of result $1 is done: store its sequences' new signatures (drop vanished ones).
-- This runs in the bucket's transaction, so a killed run redoes exactly the unfinished buckets.
-- The vanished ids are read once into an array (an InitPlan): a join here let the planner
-- pick, from stale estimates, a nested loop that rescanned the work table for every stored
-- signature of the result (the other bucket's 100 k rows: 138 s at 5 M, stuck > 8 min at 20 M).
WITH vanished AS (
    DELETE FROM filter_sequences s
    WHERE s.result_name = $1
      AND s.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2 AND signature IS NULL))
    RETURNING 1
)
INSERT INTO filter_sequences (result_name, sequence_id, signature)
SELECT $1, sequence_id, signature FROM {work} WHERE bucket = $2 AND signature IS NOT NULL
ON CONFLICT (result_name, sequence_id) DO UPDATE SET signature = EXCLUDED.signature;
