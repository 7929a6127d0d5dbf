-- The polygons of a layer cut to the map's box and simplified to about a pixel.
-- $1 layer kind, $2 layer name, $3..$6 minx miny maxx maxy, $7 tolerance
SELECT ST_AsBinary(ST_Simplify(ST_Intersection(f.geom, box), $7)) AS wkb
FROM boundary_features f
JOIN boundary_layers l ON l.id = f.layer_id,
     LATERAL (SELECT ST_MakeEnvelope($3, $4, $5, $6, 4326) AS box) b
WHERE l.kind = $1 AND l.name = $2 AND f.geom && box;
