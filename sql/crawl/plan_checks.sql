-- $1 crawl id (an update pass whose boxes / tiles are all finished), $2 images per task:
-- check tasks for the images the pass recorded as unseen and still did not see - an image
-- written since (it was found elsewhere) no longer lies in the footprint that missed it.
-- In (sequence, id) order, so that a sequence's images share a task (one membership request).
-- Idempotent: tasks are keyed by their number, and a later call finds at most as many
-- images as the first (checks only remove them), so it adds nothing.
-- (The queue's tables and `images` are read in separate CTEs: on Citus the images part
-- runs on the shards.)
INSERT INTO crawl_tasks (crawl_id, kind, key, depth, image_ids, sequence_ids)  -- the CTEs inside the INSERT: at the top, Citus inserted nothing
WITH unseen AS MATERIALIZED (
    SELECT u.image_id, t.geom FROM crawl_unseen u JOIN crawl_tasks t ON t.id = u.task_id WHERE u.crawl_id = $1
),
live AS MATERIALIZED (
    SELECT i.id, i.sequence_id, i.geom FROM images i
    WHERE i.deleted_at IS NULL AND i.id IN (SELECT image_id FROM unseen)
),
still AS (
    SELECT DISTINCT l.id, l.sequence_id
    FROM live l JOIN unseen u ON u.image_id = l.id
    WHERE ST_Intersects(u.geom, l.geom)
),
numbered AS (
    SELECT id, sequence_id, (row_number() OVER (ORDER BY sequence_id, id) - 1) / $2::integer AS chunk FROM still
)
SELECT $1, 'check', chunk::text, 0, array_agg(id ORDER BY sequence_id, id), array_agg(sequence_id ORDER BY sequence_id, id)
FROM numbered
GROUP BY chunk
ON CONFLICT (crawl_id, kind, key) DO NOTHING;
