-- Remove a result's row; its lines and sequence signatures go with it (ON DELETE CASCADE),
-- and so do its QGIS styles. $1 result name, $2 its points table name.
WITH styles AS (
    DELETE FROM layer_styles
    WHERE f_table_catalog = current_database() AND f_table_schema = 'public' AND f_table_name = $2
)
DELETE FROM filter_results WHERE name = $1;
