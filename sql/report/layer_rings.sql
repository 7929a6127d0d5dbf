-- The rings of a boundary layer's polygons inside a box, simplified, as encoded polylines
-- (5 decimals). $1 layer kind, $2 layer name, $3..$6 west south east north, $7 tolerance
SELECT f.id AS feature_id, ST_AsEncodedPolyline(ST_ExteriorRing(r.geom), 5) AS ring
FROM boundary_features f
JOIN boundary_layers l ON l.id = f.layer_id,
     LATERAL ST_Dump(ST_Simplify(ST_Intersection(f.geom, ST_MakeEnvelope($3, $4, $5, $6, 4326)), $7, true)) AS d,
     LATERAL ST_DumpRings(d.geom) AS r
WHERE l.kind = $1 AND l.name = $2 AND f.geom && ST_MakeEnvelope($3, $4, $5, $6, 4326)
  AND ST_GeometryType(d.geom) = 'ST_Polygon';
