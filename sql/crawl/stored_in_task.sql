-- $1 a tile task of an update pass: the live stored images of its footprint, which the pass
-- compares with the tile's listing (etl/crawl/tile_task.py).
SELECT i.id, i.sequence_id, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM crawl_tasks t
JOIN images i ON ST_Intersects(t.geom, i.geom)
WHERE t.id = $1 AND i.deleted_at IS NULL;
