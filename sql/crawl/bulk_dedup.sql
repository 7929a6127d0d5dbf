-- Bulk load end, when building the key met a duplicate: an image stored twice (it lay
-- on the edge of two boxes) keeps its last copy. One hash aggregate over the loaded rows.
-- Grouped by sequence too (both copies have it): on Citus the statement then runs in
-- each shard, where ctid means something.
DELETE FROM images i
USING (SELECT sequence_id, id, max(ctid) AS keep FROM images GROUP BY sequence_id, id HAVING count(*) > 1) d
WHERE i.sequence_id = d.sequence_id AND i.id = d.id AND i.ctid <> d.keep
