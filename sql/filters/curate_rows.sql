-- Curation, step 4: the rows of result $1's dataset: the candidates thinning kept (not in
-- {dropped}), each with its cell of the equal-area grid of cell size $2 metres
-- (mlyetl_cell_id; NULL without a cell size), at most $3 per (cell, class), the first in
-- priority order (NULL: no cap). Rows are copied from the candidates ({points}) with the
-- cell id added, in the columns of curate_write.sql.
SELECT c.result_name, c.image_id, c.sequence_id, c.class, c.geom, c.captured_at, c.compass_angle, c.altitude,
       c.is_pano, c.width, c.height, c.make, c.model, c.creator_username, s.cell_id
FROM (
    SELECT k.id, k.cell_id, row_number() OVER (PARTITION BY k.cell_id, k.urban ORDER BY k.rank) AS n
    FROM (
        SELECT t.id, t.urban, t.rank, mlyetl_cell_id(t.lon, t.lat, $2::float8) AS cell_id
        FROM {thin} t
        WHERE NOT EXISTS (SELECT 1 FROM {dropped} d WHERE d.id = t.id)
    ) k
) s
JOIN {points} c ON c.image_id = s.id AND c.result_name = $1
WHERE $3::integer IS NULL OR s.n <= $3::integer
