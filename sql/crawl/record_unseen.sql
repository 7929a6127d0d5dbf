-- $1 crawl id (an update pass), $2 ids of its boxes / tiles finished in this transaction
-- whose answers were complete, $3 / $4 / $5 the crawl's --since / --until / --organization-id
-- (NULL: none). The ids each task listed are in crawl_seen (task_id, image_id).
-- Every live stored image of such a task's footprint (in the area, matching the crawl's
-- filters) that the task did not list is recorded as unseen; check tasks decide what
-- became of it (plan_checks.sql). Images seen in this transaction are already written, so
-- one that moved to a box finished earlier is no longer in this one.
INSERT INTO crawl_unseen (crawl_id, task_id, image_id)
SELECT $1, t.id, i.id
FROM crawl_tasks t
JOIN images i ON ST_Intersects(t.geom, i.geom)
WHERE t.id = ANY($2::bigint[])
  AND i.deleted_at IS NULL
  AND (t.inside OR EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, i.geom)))
  AND ($3::timestamptz IS NULL OR i.captured_at >= $3)
  AND ($4::timestamptz IS NULL OR i.captured_at <= $4)
  AND ($5::bigint IS NULL OR i.organization_id = $5)
  AND NOT EXISTS (SELECT 1 FROM crawl_seen s WHERE s.task_id = t.id AND s.image_id = i.id)
ON CONFLICT DO NOTHING;
