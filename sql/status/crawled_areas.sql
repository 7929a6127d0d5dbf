-- Per crawled area (its first crawl): when it was crawled, its latest pass (an update, or the
-- first crawl itself) - when it started and finished, whether it is still running - and
-- what that pass found.
SELECT b.id AS crawl_id, b.settings ->> 'area' AS area, b.method, b.created_at AS crawled_at,
       b.finished_at AS crawl_finished_at, l.id AS last_id, l.pass AS last_pass,
       l.created_at AS last_started_at, l.finished_at AS last_finished_at,
       EXISTS (SELECT 1 FROM crawl_tasks t WHERE t.crawl_id = l.id AND t.state IN ('pending', 'running')) AS in_progress,
       l.new_images, l.changed_images, l.unchanged_images, l.deleted_images, l.restored_images
FROM crawls b
CROSS JOIN LATERAL (SELECT * FROM crawls c WHERE c.id = b.id OR c.base_id = b.id ORDER BY c.pass DESC LIMIT 1) l
WHERE b.base_id IS NULL
ORDER BY b.id;
