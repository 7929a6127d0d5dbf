-- mlyetl's styles present for this database: (table, style name).
SELECT f_table_schema || '.' || f_table_name AS layer, stylename
FROM layer_styles WHERE f_table_catalog = current_database() AND stylename LIKE 'mlyetl %';
