-- Spacing by straight distance (--spacing-mode straight), per image (a subquery of
-- walk_summary.sql; the PL/pgSQL fallback of walk_c.sql): a point is kept when its
-- haversine distance to the last kept point of its sequence+class walk reaches the
-- threshold ($6 urban, $7 other). Duplicates as in walk_path.sql (a duplicate is at
-- distance 0 from its original, or as far as it from the last kept point).
SELECT id, seq_no, urban, captured_at, lon, lat,
       CASE WHEN first_id <> id THEN first_id END AS duplicate_of,
       first_id = id AND (mlyetl_spacing_straight(lat, lon, CASE WHEN urban THEN $6::float8 ELSE $7::float8 END)
           OVER (PARTITION BY seq_no, urban ORDER BY captured_at, first_id, id ROWS UNBOUNDED PRECEDING))[3] = 1 AS kept
FROM (
    SELECT id, seq_no, urban, captured_at, lon, lat,
           min(id) OVER (PARTITION BY seq_no, urban, captured_at, lon, lat) AS first_id
    FROM ({staged}) staged
) deduplicated
