-- Before recomputing bucket $2 of result $1: remove the points, lines and signatures of
-- its work sequences from the result's partitions. The ids are read once per table into
-- an array (an InitPlan): a join here let the planner pick, from stale estimates, a nested
-- loop that rescanned the work table for every stored row (minutes at millions of rows).
WITH points AS (
    DELETE FROM {points} p
    WHERE p.result_name = $1
      AND p.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2))
),
lines AS (
    DELETE FROM {lines} l
    WHERE l.result_name = $1
      AND l.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2))
)
DELETE FROM {signatures} s
WHERE s.result_name = $1
  AND s.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2));
