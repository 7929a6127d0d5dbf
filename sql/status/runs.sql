-- The last runs; a 'running' row whose process is gone was killed (rerun to resume).
SELECT id, kind, status, started_at, finished_at, counters, error, host, pid
FROM runs ORDER BY id DESC LIMIT $1;
