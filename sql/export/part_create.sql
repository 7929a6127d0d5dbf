-- One writing connection's share of the plan (built once by the planning connection and
-- streamed here by COPY): the sequences of its shards with their plan order. ord is unique
-- and rises with the shard, so ORDER BY ord alone gives shard order too.
CREATE TEMP TABLE IF NOT EXISTS export_part (
    sequence_id text   NOT NULL,
    ord         bigint NOT NULL
);
TRUNCATE export_part;
