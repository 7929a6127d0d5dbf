-- $1 key
SELECT id, method, finished_at FROM crawls WHERE key = $1;
