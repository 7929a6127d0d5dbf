-- Curation replaced result $1's dataset ({dataset}): how its kept images changed, by image
-- id, against the previous dataset's ids (curation_previous, this transaction's copy).
SELECT (SELECT count(*) FROM {dataset} d
        WHERE d.result_name = $1 AND NOT EXISTS (SELECT 1 FROM curation_previous c WHERE c.id = d.image_id))::bigint
           AS kept_added,
       (SELECT count(*) FROM curation_previous c
        WHERE NOT EXISTS (SELECT 1 FROM {dataset} d WHERE d.result_name = $1 AND d.image_id = c.id))::bigint
           AS kept_removed
