-- The indexes the parent filter_points expects on a partition, built in bulk after loading;
-- ATTACH PARTITION then adopts them instead of building new ones. One statement per line.
ALTER TABLE {points} ADD CONSTRAINT {points}_pkey PRIMARY KEY (result_name, image_id)
CREATE INDEX {points}_sequence ON {points} (result_name, sequence_id)
CREATE INDEX {points}_geom_gist ON {points} USING gist (geom)
