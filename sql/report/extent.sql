-- The bounding box of a result's clipped images: $1 result name.
SELECT ST_XMin(e) AS minx, ST_YMin(e) AS miny, ST_XMax(e) AS maxx, ST_YMax(e) AS maxy
FROM (SELECT ST_Extent(i.geom) AS e
      FROM filter_points fp JOIN images i ON i.id = fp.image_id
      WHERE fp.result_name = $1) s;
