DROP FUNCTION IF EXISTS mlyetl_grid_cell(double precision, double precision, double precision);
DROP TABLE IF EXISTS boundary_cells;
DROP TABLE IF EXISTS boundary_parts;
DROP TABLE IF EXISTS boundary_features;
DROP TABLE IF EXISTS boundary_layers;
