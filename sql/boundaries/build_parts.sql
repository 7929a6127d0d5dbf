-- Cut layer $1's features into grid parts: ST_Subdivide to pieces of at most $2 vertices
-- (so the clipping below stays cheap), then each piece along the grid of $3-degree cells.
-- Cells are widened by 1e-9 degrees so that a point whose cell number rounds to the
-- neighbour of a grid line still finds its polygon (a part never reaches outside its
-- feature, so the widening cannot add false hits).
WITH pieces AS (
    SELECT f.layer_id, f.id AS feature_id, piece
    FROM boundary_features f, LATERAL ST_Subdivide(f.geom, $2) AS piece
    WHERE f.layer_id = $1
),
cells AS (
    SELECT p.layer_id, p.feature_id, p.piece, gx::bigint * 16384 + gy AS cell,
           ST_MakeEnvelope(-180.0 + gx * $3 - 1e-9, -90.0 + gy * $3 - 1e-9,
                           -180.0 + (gx + 1) * $3 + 1e-9, -90.0 + (gy + 1) * $3 + 1e-9, 4326) AS env
    FROM pieces p,
         generate_series(floor((ST_XMin(p.piece) + 180.0) / $3)::int, floor((ST_XMax(p.piece) + 180.0) / $3)::int) gx,
         generate_series(floor((ST_YMin(p.piece) + 90.0) / $3)::int, floor((ST_YMax(p.piece) + 90.0) / $3)::int) gy
),
clipped AS (
    SELECT layer_id, feature_id, cell, ST_Covers(piece, env) AS covers_cell, piece, env
    FROM cells
    WHERE ST_Intersects(piece, env)
)
INSERT INTO boundary_parts (layer_id, feature_id, cell, covers_cell, geom)
SELECT layer_id, feature_id, cell, covers_cell, part.geom
FROM clipped,
     LATERAL (SELECT env AS geom WHERE covers_cell
              UNION ALL
              SELECT d.geom FROM ST_Dump(ST_Intersection(piece, env)) d
              WHERE NOT covers_cell AND ST_GeometryType(d.geom) = 'ST_Polygon' AND NOT ST_IsEmpty(d.geom)) part;
