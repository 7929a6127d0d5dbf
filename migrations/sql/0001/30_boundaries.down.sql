DROP TABLE IF EXISTS boundary_parts;
DROP TABLE IF EXISTS boundary_features;
DROP TABLE IF EXISTS boundary_layers;
