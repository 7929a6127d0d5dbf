-- $1 crawl id (an update pass), $2 ids of its boxes / tiles finished in this transaction
-- whose answers were complete, $3 / $4 / $5 the crawl's --since / --until / --organization-id
-- (NULL: none). The ids each task listed are in crawl_seen (task_id, image_id).
-- Every live stored image of such a task's footprint (in the area, matching the crawl's
-- filters) that the task did not list is recorded as unseen; check tasks decide what
-- became of it (plan_checks.sql). Images seen in this transaction are already written, so
-- one that moved to a box finished earlier is no longer in this one.
-- The queue's tables are read in CTEs of their own and `images` in another: on Citus the
-- images part runs on the shards, the rest on the coordinator.
INSERT INTO crawl_unseen (crawl_id, task_id, image_id)  -- the CTEs inside the INSERT: at the top, Citus inserted nothing
WITH boxes AS MATERIALIZED (
    SELECT id, geom, inside FROM crawl_tasks WHERE id = ANY($2::bigint[])
),
near AS MATERIALIZED (
    SELECT b.id AS task_id, b.inside, i.id AS image_id, i.geom
    FROM boxes b
    JOIN images i ON ST_Intersects(b.geom, i.geom)
    WHERE i.deleted_at IS NULL
      AND ($3::timestamptz IS NULL OR i.captured_at >= $3)
      AND ($4::timestamptz IS NULL OR i.captured_at <= $4)
      AND ($5::bigint IS NULL OR i.organization_id = $5)
)
SELECT $1, n.task_id, n.image_id
FROM near n
WHERE (n.inside OR EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, n.geom)))
  AND NOT EXISTS (SELECT 1 FROM crawl_seen s WHERE s.task_id = n.task_id AND s.image_id = n.image_id)
ON CONFLICT DO NOTHING;
