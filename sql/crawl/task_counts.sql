-- $1 crawl id: tasks per state.
SELECT state, count(*)::bigint AS n FROM crawl_tasks WHERE crawl_id = $1 GROUP BY state;
