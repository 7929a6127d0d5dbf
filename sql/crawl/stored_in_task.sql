-- $1 a tile task of an update pass: the live stored images of its footprint, which the pass
-- compares with the tile's listing (etl/crawl/tile_task.py). (The task in a CTE of its own:
-- on Citus the images part runs on the shards.)
WITH task AS MATERIALIZED (SELECT geom FROM crawl_tasks WHERE id = $1)
SELECT i.id, i.sequence_id, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM task t
JOIN images i ON ST_Intersects(t.geom, i.geom)
WHERE i.deleted_at IS NULL;
