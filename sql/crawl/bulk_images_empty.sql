-- $1 crawl id. May a bulk load start? Only into an empty images table (nothing stored is
-- ever without its key; a re-crawl, with rows present, takes the upsert path that updates
-- them), and only while no other crawl is writing (it upserts, which needs the key).
SELECT NOT EXISTS (SELECT 1 FROM images)
   AND NOT EXISTS (SELECT 1 FROM crawl_tasks
                   WHERE state = 'running' AND crawl_id <> $1 AND lease_expires_at > now())
