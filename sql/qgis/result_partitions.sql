-- The per-result tables of filter_points and filter_sequence_lines (filter_points_r<id>,
-- filter_sequence_lines_r<id>), which GDAL lists as layers, with their parent table.
SELECT c.relname AS table_name, p.relname AS parent
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class p ON p.oid = i.inhparent
WHERE i.inhparent IN ('public.filter_points'::regclass, 'public.filter_sequence_lines'::regclass);
