-- Spacing along the path, per image (a subquery of walk_summary.sql; the PL/pgSQL fallback
-- of walk_c.sql): urban threshold $6, other $7 (metres), over the staged images.
-- The walk runs over the points of one sequence AND class in (captured_at, id) order: the
-- first is kept, haversine steps (R = 6371 km) are summed, and a point is kept when the
-- sum reaches the threshold (>=), which resets the sum. Each sequence+class is one window
-- partition, so the result does not depend on how rows are scanned.
-- Duplicates (same sequence, capture time and position) point to the lowest id of their
-- group (first_id). Sorting by first_id before id puts each duplicate right after its
-- original: its step is exactly 0, so it never reaches a threshold > 0 and leaves the sum
-- unchanged -- the walk is the walk over the de-duplicated points.
SELECT id, seq_no, urban, captured_at, lon, lat,
       CASE WHEN first_id <> id THEN first_id END AS duplicate_of,
       first_id = id AND mlyetl_spacing_path(step, CASE WHEN urban THEN $6::float8 ELSE $7::float8 END)
           OVER (PARTITION BY seq_no, urban ORDER BY captured_at, first_id, id ROWS UNBOUNDED PRECEDING) < 0 AS kept
FROM (
    SELECT *, mlyetl_haversine_m(lag(lat) OVER w, lag(lon) OVER w, lat, lon) AS step
    FROM (
        SELECT id, seq_no, urban, captured_at, lon, lat,
               min(id) OVER (PARTITION BY seq_no, urban, captured_at, lon, lat) AS first_id
        FROM ({staged}) staged
    ) deduplicated
    WINDOW w AS (PARTITION BY seq_no, urban ORDER BY captured_at, first_id, id)
) stepped
