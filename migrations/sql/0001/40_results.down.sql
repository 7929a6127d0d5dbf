DROP TABLE IF EXISTS filter_points;
DROP TABLE IF EXISTS filter_results;
