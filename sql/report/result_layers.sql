-- What clipping a result's images again needs: its layers' ids and grid cell sizes and the
-- result it excludes. $1 result name
SELECT cl.id AS continent_id, cl.cell_size AS continent_cell, ul.id AS urban_id, ul.cell_size AS urban_cell,
       r.params ->> 'exclude_result' AS exclude_result
FROM filter_results r
JOIN boundary_layers cl ON cl.id = (r.layers #>> '{continent,id}')::integer
JOIN boundary_layers ul ON ul.id = (r.layers #>> '{urban,id}')::integer
WHERE r.name = $1;
