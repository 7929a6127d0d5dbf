DROP TABLE IF EXISTS sequences;
DROP TABLE IF EXISTS images;
DROP TABLE IF EXISTS runs;
-- PostGIS stays: other schemas in the database may use it.
