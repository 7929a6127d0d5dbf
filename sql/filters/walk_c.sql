-- Clip, classify and walk every changed sequence in one statement, with the C window
-- function mlyetl_walk_sequence of the mlyetl_spacing extension (ext/mlyetl_spacing):
-- the staged images (staged_images.sql, parameters $1-$5) are sorted once by sequence, capture time
-- and id (a parallel plan), and one pass over each sequence returns its summary on its last
-- row: line, counts, kept images. The walk table gets one row per sequence, not one per image.
-- $6 urban and $7 other spacing (metres), $8 true for --spacing-mode straight. Same rule
-- and result as walk_path.sql / walk_straight.sql, the PL/pgSQL fallback.
CREATE UNLOGGED TABLE {walk} AS
SELECT seq_no, (s).*
FROM (
    SELECT seq_no,
           mlyetl_walk_sequence(captured_at, id, lat, lon, urban, $6::float8, $7::float8, $8::boolean)
               OVER (PARTITION BY seq_no ORDER BY captured_at, id) AS s
    FROM ({staged}) staged
) walked
WHERE (s).image_count IS NOT NULL
