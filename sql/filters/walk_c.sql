-- Clip, classify and walk every changed sequence in one statement, with the C aggregate
-- mlyetl_walk_sequence of the mlyetl_spacing extension (ext/mlyetl_spacing): the staged
-- images (staged_images.sql, parameters $1-$5) are sorted once by sequence, capture time
-- and id (a parallel plan), and the aggregate walks each sequence in that order (it checks
-- the order on every row) and returns its summary: line, counts, length, kept images. The
-- walk table gets one row per sequence, not one per image.
-- $6 urban and $7 other spacing (metres), $8 true for --spacing-mode straight. Same rule
-- and result as walk_summary.sql over walk_path.sql / walk_straight.sql, the PL/pgSQL fallback.
CREATE UNLOGGED TABLE {walk} AS
SELECT seq_no, (s).*
FROM (
    SELECT seq_no, mlyetl_walk_sequence(captured_at, id, lat, lon, urban, $6::float8, $7::float8, $8::boolean) AS s
    FROM (SELECT * FROM ({staged}) staged ORDER BY seq_no, captured_at, id) ordered
    GROUP BY seq_no
) walked
