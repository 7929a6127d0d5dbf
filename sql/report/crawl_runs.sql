-- The runs of `mlyetl crawl` on a crawl, with their counters (requests, errors and, from
-- this version on, a per-minute timeline of calls). $1 crawl id
SELECT id, started_at, finished_at, status, counters
FROM runs
WHERE kind = 'crawl' AND settings -> 'crawl_id' = to_jsonb($1::bigint)
ORDER BY started_at;
