-- A result's points counted per map pixel and class, so the map costs at most one
-- row per pixel whatever the number of images: its kept images (filter_points), or every
-- clipped image (the filter_clipped view, computed on demand).
-- $1 result, $2..$5 minx miny maxx maxy, $6 width, $7 height, $8 only kept points
SELECT least(greatest(floor((ST_X(p.geom) - $2) / ($4 - $2) * $6), 0), $6 - 1)::int AS px,
       least(greatest(floor(($5 - ST_Y(p.geom)) / ($5 - $3) * $7), 0), $7 - 1)::int AS py,
       p.class,
       count(*) AS n
FROM (
    SELECT fp.class, fp.geom FROM filter_points fp WHERE fp.result_name = $1 AND $8
    UNION ALL
    SELECT c.class, c.geom FROM filter_clipped c WHERE c.result_name = $1 AND NOT $8
) p
GROUP BY 1, 2, 3;
