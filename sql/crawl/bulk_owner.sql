-- The crawl whose bulk load of images is in progress (NULL when none).
SELECT min(crawl_id) FROM images_bulk_indexes
