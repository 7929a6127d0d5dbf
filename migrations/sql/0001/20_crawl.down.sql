DROP TABLE IF EXISTS crawl_tasks;
DROP TABLE IF EXISTS crawl_area_parts;
DROP TABLE IF EXISTS crawls;
