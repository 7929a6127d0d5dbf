-- Bulk load end, when building the key met a duplicate: an image stored twice (it lay
-- on the edge of two boxes) keeps its last copy. One hash aggregate over the loaded rows.
DELETE FROM images i
USING (SELECT id, max(ctid) AS keep FROM images GROUP BY id HAVING count(*) > 1) d
WHERE i.id = d.id AND i.ctid <> d.keep
