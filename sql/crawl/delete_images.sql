-- $1 image ids the API certainly no longer has (etl/crawl/check_task.py): marked deleted,
-- kept with the time. Returns how many were live.
UPDATE images SET deleted_at = now()
WHERE id = ANY($1::bigint[]) AND deleted_at IS NULL;
