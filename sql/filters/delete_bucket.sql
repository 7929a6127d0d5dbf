-- Before recomputing bucket $2 of result $1: remove the rows of its work sequences.
-- The ids are read once into an array (see save_signatures.sql): no join plan that could
-- rescan the work table per stored row.
WITH gone AS (
    DELETE FROM {points} p
    WHERE p.result_name = $1
      AND p.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2))
    RETURNING 1
)
DELETE FROM filter_sequence_lines l
WHERE l.result_name = $1
  AND l.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2));
