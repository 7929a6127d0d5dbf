-- The indexes the parent filter_points expects on a partition, built in bulk after loading
-- (one statement per line; they run side by side on separate connections, which
-- CREATE INDEX allows and ADD PRIMARY KEY would not). The unique index then becomes the
-- primary key (partition_primary_key.sql) and ATTACH PARTITION adopts all three.
CREATE UNIQUE INDEX {points}_pkey ON {points} (image_id, result_name)
CREATE INDEX {points}_sequence ON {points} (sequence_id)
CREATE INDEX {points}_geom_gist ON {points} USING gist (geom)
