-- The shard plan of one export, private to the session: which shard each sequence goes to.
-- ord is the sequence's place in the stable order (md5 of its id, then the id), which is
-- also the order of rows inside a shard, so output files are byte-for-byte reproducible.
-- No index: the plan is only read whole (summary, fingerprint) or per group of shards
-- (a scan of ~1 row per sequence), and keeping two indexes up to date while filling it was
-- half of the fill's time, before any row goes out.
CREATE TEMP TABLE IF NOT EXISTS export_plan (
    sequence_id text    NOT NULL,
    shard       integer NOT NULL,
    ord         bigint  NOT NULL,
    n           integer NOT NULL
);
TRUNCATE export_plan;
