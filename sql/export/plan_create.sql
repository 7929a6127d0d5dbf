-- The shard plan of one export, private to the session: which shard each sequence goes to.
-- ord is the sequence's place in the stable order (md5 of its id, then the id), which is
-- also the order of rows inside a shard, so output files are byte-for-byte reproducible.
CREATE TEMP TABLE IF NOT EXISTS export_plan (
    sequence_id text    PRIMARY KEY,
    shard       integer NOT NULL,
    ord         bigint  NOT NULL,
    n           integer NOT NULL
);
CREATE INDEX IF NOT EXISTS export_plan_shard ON export_plan (shard, ord);
TRUNCATE export_plan;
