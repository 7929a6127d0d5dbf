-- Before recomputing bucket $2 of result $1: remove the rows of its work sequences.
WITH gone AS (
    DELETE FROM {points} p USING {work} w
    WHERE p.sequence_id = w.sequence_id AND w.bucket = $2 AND p.result_name = $1
    RETURNING 1
)
DELETE FROM filter_sequence_lines l USING {work} w
WHERE l.result_name = $1 AND l.sequence_id = w.sequence_id AND w.bucket = $2;
