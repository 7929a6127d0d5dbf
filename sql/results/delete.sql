-- Remove a result's row (its tables are dropped beforehand; any rows left in lines and
-- sequence signatures would go with it, ON DELETE CASCADE), and its tables' QGIS styles.
-- $1 result name, $2 its table names.
WITH styles AS (
    DELETE FROM layer_styles
    WHERE f_table_catalog = current_database() AND f_table_schema = 'public' AND f_table_name = ANY ($2::text[])
)
DELETE FROM filter_results WHERE name = $1;
