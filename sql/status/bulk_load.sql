-- A bulk load of images in progress (etl/crawl/bulk.py): its crawl and the indexes it
-- still has to rebuild. No row when none is in progress.
SELECT crawl_id, count(*) AS indexes_to_rebuild FROM images_bulk_indexes GROUP BY crawl_id
