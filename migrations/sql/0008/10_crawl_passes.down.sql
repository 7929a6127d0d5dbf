DROP TABLE IF EXISTS crawl_unseen;
DELETE FROM crawl_tasks WHERE kind = 'check';
ALTER TABLE crawl_tasks DROP CONSTRAINT crawl_tasks_kind_check;
ALTER TABLE crawl_tasks ADD CONSTRAINT crawl_tasks_kind_check CHECK (kind IN ('box', 'tile', 'sequence'));
ALTER TABLE crawl_tasks DROP COLUMN image_ids, DROP COLUMN sequence_ids;
DELETE FROM crawls WHERE base_id IS NOT NULL;
DROP INDEX IF EXISTS crawls_base_pass;
ALTER TABLE crawls
    DROP COLUMN base_id, DROP COLUMN pass, DROP COLUMN new_images, DROP COLUMN changed_images,
    DROP COLUMN unchanged_images, DROP COLUMN deleted_images, DROP COLUMN restored_images;
