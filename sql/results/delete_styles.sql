-- Remove the QGIS styles of a dropped result's tables ($1 their names). A statement of its
-- own: on Citus, filter_results is a reference table and layer_styles a coordinator table,
-- which one statement may not both change.
DELETE FROM layer_styles
WHERE f_table_catalog = current_database() AND f_table_schema = 'public' AND f_table_name = ANY ($1::text[]);
