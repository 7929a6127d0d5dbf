-- Layer $1 on the grid of $2-degree cells: how many (cell, part) pairs build_cells.sql
-- would test, counted from the parts' extents alone, before any of that work is done.
SELECT coalesce(sum((floor((ST_XMax(p.geom) + 180.0) / $2) - floor((ST_XMin(p.geom) + 180.0) / $2) + 1)
                  * (floor((ST_YMax(p.geom) + 90.0) / $2) - floor((ST_YMin(p.geom) + 90.0) / $2) + 1)), 0)::float8
FROM boundary_parts p
WHERE p.layer_id = $1;
