-- Task states per crawl and task kind.
SELECT c.id AS crawl_id, c.method, t.kind, t.state, count(*) AS tasks
FROM crawl_tasks t JOIN crawls c ON c.id = t.crawl_id
GROUP BY c.id, c.method, t.kind, t.state
ORDER BY c.id, t.kind, t.state;
