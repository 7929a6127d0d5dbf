-- Bucket {bucket}'s partition of the stage table (stage_tables.sql): unlogged, like every
-- scratch table of a run.
CREATE UNLOGGED TABLE {partition} PARTITION OF {stage} FOR VALUES IN ({bucket:d});
