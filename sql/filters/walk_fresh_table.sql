-- The empty walk table of a result's first computation: the columns walk_fresh_c.sql
-- inserts (sequence number, sequence, signature, then the walk's own columns).
CREATE UNLOGGED TABLE {walk} AS
SELECT NULL::integer AS seq_no, NULL::text AS sequence_id, NULL::text AS signature, (NULL::mlyetl_sequence_walk).*
WITH NO DATA
