-- The indexes the parents expect on a result's partitions, built in bulk after loading
-- (one statement per line, the points' first, each table's longest first; they run side
-- by side on separate connections, which CREATE INDEX allows and ADD PRIMARY KEY would
-- not). The unique indexes then become the primary keys (partition_primary_key.sql) and
-- ATTACH PARTITION adopts them all. {points} is where spacing writes: the dataset, or a
-- curated result's candidates, whose dataset ({dataset}, filter_points) curation fills.
-- The keys' columns are the parents' (parent_key.sql; on Citus they include the distribution column).
CREATE INDEX {points}_geom_gist ON {points} USING gist (geom)
CREATE INDEX {points}_sequence ON {points} (sequence_id)
CREATE UNIQUE INDEX {points}_pkey ON {points} ({points_key})
CREATE UNIQUE INDEX {lines}_pkey ON {lines} ({lines_key})
CREATE INDEX {lines}_geom_gist ON {lines} USING gist (geom)
CREATE UNIQUE INDEX {signatures}_pkey ON {signatures} ({signatures_key})
CREATE INDEX {dataset}_geom_gist ON {dataset} USING gist (geom)
CREATE INDEX {dataset}_sequence ON {dataset} (sequence_id)
CREATE UNIQUE INDEX {dataset}_pkey ON {dataset} ({dataset_key})
