-- Before bucket $2's stored rows of result $1 are replaced: how the result's kept images
-- change over the bucket's changed sequences ({work}), by image id. added: kept by the
-- new walk ({walk}'s kept ids), not stored before; removed: stored before, no longer kept.
-- Read only when the stored rows are the last finished run's (etl/filters/steps.py).
WITH old AS (
    SELECT p.image_id AS id
    FROM {points} p
    WHERE p.result_name = $1
      AND p.sequence_id = ANY (ARRAY(SELECT sequence_id FROM {work} WHERE bucket = $2))
), new AS (
    SELECT k.id
    FROM {walk} s
    JOIN {work} w ON w.seq_no = s.seq_no AND w.bucket = $2
    CROSS JOIN LATERAL unnest(s.kept_ids) AS k(id)
)
SELECT (SELECT count(*) FROM (SELECT id FROM new EXCEPT SELECT id FROM old) a)::bigint AS added,
       (SELECT count(*) FROM (SELECT id FROM old EXCEPT SELECT id FROM new) r)::bigint AS removed
