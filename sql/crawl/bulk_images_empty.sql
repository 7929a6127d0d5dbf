-- May a bulk load start? Only into an empty images table: nothing stored is ever
-- without its key, and a re-crawl (rows present) takes the upsert path that updates them.
SELECT NOT EXISTS (SELECT 1 FROM images)
