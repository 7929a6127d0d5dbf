-- The writer's staging tables: one pair per connection, emptied at every commit.
-- crawl_staging takes the rows of tasks wholly inside the area, crawl_staging_border
-- those of boxes/tiles on the area's border (kept only where the point is in the area).
CREATE TEMP TABLE IF NOT EXISTS crawl_staging (LIKE images INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS crawl_staging_border (LIKE images INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
-- The ids each finished box / tile of an update pass listed (record_unseen.sql).
CREATE TEMP TABLE IF NOT EXISTS crawl_seen (task_id bigint, image_id bigint) ON COMMIT DELETE ROWS;
