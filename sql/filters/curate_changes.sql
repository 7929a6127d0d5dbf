-- Curation replaced a stored result's dataset: how its kept images changed, by image id,
-- from the previous dataset's ids (curation_previous, this transaction's copy) to the new
-- one's ({kept}: the rows the dataset now holds). Both are local tables, also on Citus.
SELECT (SELECT count(*) FROM {kept} k
        WHERE NOT EXISTS (SELECT 1 FROM curation_previous c WHERE c.id = k.image_id))::bigint AS kept_added,
       (SELECT count(*) FROM curation_previous c
        WHERE NOT EXISTS (SELECT 1 FROM {kept} k WHERE k.image_id = c.id))::bigint AS kept_removed
