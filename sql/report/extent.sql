-- The bounding box of a result's clipped images: its sequence lines, and its kept images
-- (a one-image sequence has no line, and its image is kept). $1 result name.
SELECT ST_XMin(e) AS minx, ST_YMin(e) AS miny, ST_XMax(e) AS maxx, ST_YMax(e) AS maxy
FROM (SELECT ST_Extent(g) AS e
      FROM (SELECT geom AS g FROM filter_sequence_lines WHERE result_name = $1
            UNION ALL
            SELECT geom FROM filter_points WHERE result_name = $1) parts) s;
