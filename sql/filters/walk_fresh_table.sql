-- The empty walk table of a result's first computation: the columns walk_fresh_c.sql
-- inserts (sequence number, sequence, signature, then the walk's own columns). Rows stay
-- whole in their page up to ~8 kB (toast_tuple_target): a sequence's line and kept
-- arrays, mostly 1-3 kB, are neither compressed nor moved to a TOAST table and back.
CREATE UNLOGGED TABLE {walk} WITH (toast_tuple_target = 8160) AS
SELECT NULL::integer AS seq_no, NULL::text AS sequence_id, NULL::text AS signature, (NULL::mlyetl_sequence_walk).*
WITH NO DATA
