-- The empty walk and work tables of a result's first computation, which the buckets fill
-- side by side: the walk table gets the columns walk_fresh_c.sql inserts (sequence number,
-- sequence, signature, then the walk's own columns), the work table those find_dirty.sql
-- makes (work_from_walk.sql copies them from the walk table). Walk rows stay whole in their
-- page up to ~8 kB (toast_tuple_target): a sequence's line and kept arrays, mostly 1-3 kB,
-- are neither compressed nor moved to a TOAST table and back.
CREATE UNLOGGED TABLE {walk} WITH (toast_tuple_target = 8160) AS
SELECT NULL::integer AS seq_no, NULL::text AS sequence_id, NULL::text AS signature, (NULL::mlyetl_sequence_walk).*
WITH NO DATA;
CREATE UNLOGGED TABLE {work} (
    sequence_id text,
    seq_no      integer,
    signature   text,      -- never NULL here: every sequence walked exists
    bucket      integer
);
