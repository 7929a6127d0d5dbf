-- Spacing for bucket $1 of {stage} with the C window functions of the mlyetl_spacing
-- extension (ext/mlyetl_spacing); {kept_walk} is mlyetl_walk_path_kept or
-- mlyetl_walk_straight_kept (--spacing-mode, etl/filters/walk_impl.py). Same rule and result
-- as walk_path.sql / walk_straight.sql, the PL/pgSQL fallback: one sort and one pass over each sequence+class walk in
-- (captured_at, id) order. A duplicate (same sequence, class, capture time and position as
-- a lower id) points to its original, is never kept and does not move the walk.
CREATE TEMP TABLE filter_walked ON COMMIT DROP AS
SELECT id, seq_no, urban, captured_at, lon, lat, nullif(first_id, id) AS duplicate_of, kept
FROM (
    SELECT id, seq_no, urban, captured_at, lon, lat,
           mlyetl_walk_first_id(captured_at, id, lat, lon) OVER w AS first_id,
           {kept_walk}(captured_at, id, lat, lon, CASE WHEN urban THEN $2::float8 ELSE $3::float8 END)
               OVER w AS kept
    FROM {stage}
    WHERE bucket = $1
    WINDOW w AS (PARTITION BY seq_no, urban ORDER BY captured_at, id)
) walked;
