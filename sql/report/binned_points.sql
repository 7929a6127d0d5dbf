-- A result's points counted per map pixel and class, so the map costs at most one
-- row per pixel whatever the number of images.
-- $1 result, $2..$5 minx miny maxx maxy, $6 width, $7 height, $8 only kept points
SELECT least(greatest(floor((ST_X(i.geom) - $2) / ($4 - $2) * $6), 0), $6 - 1)::int AS px,
       least(greatest(floor(($5 - ST_Y(i.geom)) / ($5 - $3) * $7), 0), $7 - 1)::int AS py,
       fp.class,
       count(*) AS n
FROM filter_points fp JOIN images i ON i.id = fp.image_id
WHERE fp.result_name = $1 AND (fp.kept OR NOT $8)
GROUP BY 1, 2, 3;
