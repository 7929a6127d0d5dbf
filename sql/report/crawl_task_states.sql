-- A crawl's tasks per kind and state. $1 crawl id
SELECT kind, state, count(*) AS tasks, coalesce(sum(result_count), 0)::bigint AS results
FROM crawl_tasks WHERE crawl_id = $1
GROUP BY kind, state ORDER BY kind, state;
