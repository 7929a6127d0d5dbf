-- Every layer with its counts, extent and area.
SELECT id, kind, name, source, feature_count, part_count, cell_count, cell_size, loaded_at,
       round((ST_Area(outline::geography) / 1e6)::numeric) AS area_km2,
       ST_XMin(outline) AS xmin, ST_YMin(outline) AS ymin, ST_XMax(outline) AS xmax, ST_YMax(outline) AS ymax
FROM boundary_layers
ORDER BY kind, name;
