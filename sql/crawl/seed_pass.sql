-- $1 a new update pass, $2 the previous pass: the new pass starts from the previous pass's
-- last boxes and tiles (those not split), so it asks for no box the previous pass had to
-- split; a box that now holds too many images splits again, an empty one is asked again
-- (new images may have come). Failed ones are tried again.
INSERT INTO crawl_tasks (crawl_id, kind, key, depth, geom, inside)
SELECT $1, kind, key, depth, geom, inside
FROM crawl_tasks
WHERE crawl_id = $2 AND kind IN ('box', 'tile') AND state IN ('done', 'empty', 'failed')
ON CONFLICT (crawl_id, kind, key) DO NOTHING;
