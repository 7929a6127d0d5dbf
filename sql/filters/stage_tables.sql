-- The scratch tables of a result's staged first computation (etl/filters/staged_walk.py):
-- {stage}, the images that pass the attribute filters and lie in the continent, classified
-- urban / other (the walk's input, as walk_fresh_c.sql feeds it to the aggregate), in one
-- partition per bucket so that each bucket's walk reads only its own rows; and {changes},
-- the change log's signature of every sequence (signatures_stamps.sql) with its bucket.
-- Partitions: stage_partition.sql. Both are dropped with the run's other scratch tables.
CREATE TABLE {stage} (
    bucket      integer,
    sequence_id text,
    captured_at timestamptz,
    id          bigint,
    lat         float8,
    lon         float8,
    urban       boolean
) PARTITION BY LIST (bucket);
CREATE UNLOGGED TABLE {changes} (
    bucket      integer,
    sequence_id text,
    signature   text
);
