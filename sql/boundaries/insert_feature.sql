-- One feature of layer $1: name $2, properties $3 (JSON text), geometry $4 (WKB, EPSG:4326).
-- ST_MakeValid repairs self-intersections and bad rings; only the polygonal part is kept
-- (a repaired bow-tie may also yield lines or points), and empty results are dropped.
INSERT INTO boundary_features (layer_id, name, properties, geom)
SELECT $1, $2, $3::jsonb, g
FROM (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromWKB($4), 4326)), 3)) AS g) repaired
WHERE NOT ST_IsEmpty(g);
