-- Clip, classify and walk every changed sequence in one statement, with the C aggregate
-- mlyetl_walk_sequence of the mlyetl_spacing extension (ext/mlyetl_spacing): the staged
-- images (staged_images.sql, parameters $1-$5) are grouped by sequence, and the aggregate
-- sorts each sequence's images by capture time and id itself and walks them, returning
-- the summary: line, counts, length, kept images. No sort of all images: the workers of
-- the parallel plan each collect their share of every sequence, the leader combines the
-- shares and walks each sequence once. The walk table gets one row per sequence.
-- $6 urban and $7 other spacing (metres), $8 true for --spacing-mode straight. Same rule
-- and result as walk_summary.sql over walk_path.sql / walk_straight.sql, the PL/pgSQL fallback.
CREATE UNLOGGED TABLE {walk} WITH (toast_tuple_target = 8160) AS  -- rows whole in their page (see walk_fresh_table.sql)
SELECT seq_no, (s).*
FROM (
    SELECT seq_no, mlyetl_walk_sequence(captured_at, id, lat, lon, urban, $6::float8, $7::float8, $8::boolean) AS s
    FROM ({staged}) staged
    GROUP BY seq_no
) walked
