-- Cut layer $1's features into pieces of at most $2 vertices (ST_Subdivide).
INSERT INTO boundary_parts (layer_id, feature_id, geom)
SELECT f.layer_id, f.id, piece
FROM boundary_features f, LATERAL ST_Subdivide(f.geom, $2) AS piece
WHERE f.layer_id = $1 AND ST_GeometryType(piece) = 'ST_Polygon';
