-- Put layer $1 on the grid of $2-degree cells: for every cell a part touches, the union of
-- the layer inside it and whether that covers the whole cell. Cells are widened by 1e-9
-- degrees so that a point whose cell number rounds to the neighbour of a grid line still
-- finds its polygon (the cell geometry never reaches outside the layer, so the widening
-- adds no false hits). Parts are small, so each intersection is cheap.
WITH cells AS (
    SELECT p.geom AS piece, gx::bigint * 16384 + gy AS cell,
           ST_MakeEnvelope(-180.0 + gx * $2 - 1e-9, -90.0 + gy * $2 - 1e-9,
                           -180.0 + (gx + 1) * $2 + 1e-9, -90.0 + (gy + 1) * $2 + 1e-9, 4326) AS env
    FROM boundary_parts p,
         generate_series(floor((ST_XMin(p.geom) + 180.0) / $2)::int, floor((ST_XMax(p.geom) + 180.0) / $2)::int) gx,
         generate_series(floor((ST_YMin(p.geom) + 90.0) / $2)::int, floor((ST_YMax(p.geom) + 90.0) / $2)::int) gy
    WHERE p.layer_id = $1
),
pieces AS (
    SELECT cell, env, CASE WHEN ST_Covers(piece, env) THEN env ELSE ST_Intersection(piece, env) END AS geom
    FROM cells
    WHERE ST_Intersects(piece, env)
),
merged AS (
    SELECT cell, env, ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3)) AS geom
    FROM pieces
    GROUP BY cell, env
)
INSERT INTO boundary_cells (layer_id, cell, covered, geom)
SELECT $1, cell, ST_Covers(geom, env), CASE WHEN ST_Covers(geom, env) THEN NULL ELSE geom END
FROM merged
WHERE NOT ST_IsEmpty(geom);
