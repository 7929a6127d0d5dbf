-- Harvested images and sequences (estimates from the planner would be faster on
-- billions of rows, but exact counts are what a user checks a crawl against).
SELECT (SELECT count(*) FROM images WHERE deleted_at IS NULL) AS images,
       (SELECT count(*) FROM images WHERE deleted_at IS NOT NULL) AS deleted,
       (SELECT count(*) FROM sequences) AS sequences,
       (SELECT max(last_seen) FROM images) AS last_seen;
