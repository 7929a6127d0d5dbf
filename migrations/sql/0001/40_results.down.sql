DROP EXTENSION IF EXISTS mlyetl_spacing;  -- the C spacing walk, created by mlyetl filter when available
DROP AGGREGATE IF EXISTS mlyetl_spacing_straight(double precision, double precision, double precision);
DROP FUNCTION IF EXISTS mlyetl_spacing_straight_step(double precision[], double precision, double precision, double precision);
DROP AGGREGATE IF EXISTS mlyetl_spacing_path(double precision, double precision);
DROP FUNCTION IF EXISTS mlyetl_spacing_path_step(double precision, double precision, double precision);
DROP FUNCTION IF EXISTS mlyetl_haversine_m(double precision, double precision, double precision, double precision);
DROP TABLE IF EXISTS filter_sequences;
DROP TABLE IF EXISTS filter_sequence_lines;
DROP TABLE IF EXISTS filter_points;   -- drops every result's partition with it
DROP TABLE IF EXISTS filter_results;
