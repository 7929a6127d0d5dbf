-- Curation, step 1 (docs/filters.md, "Curation"): the candidates of result $1 (the images
-- its per-sequence spacing kept, {points}) in scratch table {thin}, numbered per class in
-- priority order (rank 1 first): {order} is one line of curation_priority.sql, a fixed
-- choice (for random, $2 is the seed). lon / lat are the point's own doubles.
CREATE UNLOGGED TABLE {thin} AS
SELECT c.image_id AS id, c.class = 'urban' AS urban, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       row_number() OVER (PARTITION BY c.class ORDER BY {order}) AS rank
FROM {points} c
WHERE c.result_name = $1;
