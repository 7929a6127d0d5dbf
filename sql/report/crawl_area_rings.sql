-- A crawl area's rings, simplified, as encoded polylines (5 decimals). $1 crawl id, $2 tolerance
SELECT ST_AsEncodedPolyline(ST_ExteriorRing(r.geom), 5) AS ring
FROM crawls c,
     LATERAL ST_Dump(ST_Simplify(c.area, $2, true)) AS d,
     LATERAL ST_DumpRings(d.geom) AS r
WHERE c.id = $1;
