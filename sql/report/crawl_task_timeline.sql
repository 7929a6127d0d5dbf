-- A crawl's finished tasks per minute of their last update and outcome (the work done over
-- time, also for runs that kept no call timeline). $1 crawl id
SELECT extract(epoch FROM date_trunc('minute', updated_at))::bigint AS minute, state, count(*) AS tasks
FROM crawl_tasks
WHERE crawl_id = $1 AND state IN ('done', 'empty', 'split', 'failed')
GROUP BY 1, 2 ORDER BY 1;
