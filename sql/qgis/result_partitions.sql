-- The per-result tables of filter_points (filter_points_r<id>), which GDAL lists as layers.
SELECT c.relname AS table_name
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.filter_points'::regclass;
