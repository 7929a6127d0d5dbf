-- Make `styleqml` the default QGIS style of a layer, replacing only mlyetl's own
-- earlier default (a style the user saved from QGIS is left alone).
-- $1 schema, $2 table, $3 geometry column, $4 style name, $5 QML
WITH removed AS (
    DELETE FROM layer_styles
    WHERE f_table_catalog = current_database() AND f_table_schema = $1 AND f_table_name = $2
      AND f_geometry_column = $3 AND stylename LIKE 'mlyetl %'
)
INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,
                          stylename, styleqml, useasdefault, description, type)
SELECT current_database(), $1, $2, $3, $4, XMLPARSE(DOCUMENT $5), NOT EXISTS (
           SELECT 1 FROM layer_styles
           WHERE f_table_catalog = current_database() AND f_table_schema = $1 AND f_table_name = $2
             AND f_geometry_column = $3 AND useasdefault AND stylename NOT LIKE 'mlyetl %'),
       'default style written by mlyetl', NULL;
