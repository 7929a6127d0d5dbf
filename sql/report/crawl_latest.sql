-- The id of the crawl created last.
SELECT max(id) FROM crawls;
