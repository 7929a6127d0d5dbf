-- $1 an area's first crawl, $2 a pass number.
SELECT id FROM crawls WHERE base_id = $1 AND pass = $2;
