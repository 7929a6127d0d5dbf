-- $1 an area's first crawl, $2 the new pass number: an update pass, a crawl of its own (same
-- area, method and settings). Returns the id only when this call created it; a concurrent
-- creator waits here for our commit and then finds it (find_pass.sql).
INSERT INTO crawls (key, method, area, settings, base_id, pass)
SELECT key || ':' || $2::integer, method, area, settings, id, $2 FROM crawls WHERE id = $1
ON CONFLICT (key) DO NOTHING
RETURNING id;
