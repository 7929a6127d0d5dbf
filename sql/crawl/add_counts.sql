-- $1 crawl id: what one writer transaction found, added to the crawl's (pass's) counters.
UPDATE crawls
SET new_images = new_images + $2, changed_images = changed_images + $3, unchanged_images = unchanged_images + $4,
    deleted_images = deleted_images + $5, restored_images = restored_images + $6
WHERE id = $1;
