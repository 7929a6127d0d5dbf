-- $1 crawl id. Staged rows -> images (and their sequences), one statement per batch.
-- Border rows (crawl_staging_border) are kept only when the point is in the area.
-- DISTINCT ON drops an image seen twice in one batch (it lay on a shared box edge);
-- the id order gives every writer the same lock order, which avoids deadlocks.
-- last_seen = EXCLUDED.last_seen: the staged row's default, now() (on Citus the DO UPDATE
-- SET of a distributed table takes no now(), only immutable expressions).
WITH kept AS (
    SELECT DISTINCT ON (s.id) s.*
    FROM (SELECT * FROM crawl_staging
          UNION ALL
          SELECT b.* FROM crawl_staging_border b
          WHERE EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, b.geom))) s
    ORDER BY s.id
),
up AS (
    INSERT INTO images AS i  -- the staging tables are LIKE images: same columns, same order
    SELECT * FROM kept
    ON CONFLICT ON CONSTRAINT images_pkey DO UPDATE SET  -- (id), or (id, sequence_id) on Citus
        sequence_id = EXCLUDED.sequence_id, captured_at = EXCLUDED.captured_at, geom = EXCLUDED.geom,
        geom_is_computed = EXCLUDED.geom_is_computed, original_geom = EXCLUDED.original_geom,
        compass_angle = EXCLUDED.compass_angle, computed_compass_angle = EXCLUDED.computed_compass_angle,
        altitude = EXCLUDED.altitude, computed_altitude = EXCLUDED.computed_altitude,
        is_pano = EXCLUDED.is_pano, camera_type = EXCLUDED.camera_type, make = EXCLUDED.make,
        model = EXCLUDED.model, width = EXCLUDED.width, height = EXCLUDED.height,
        creator_id = EXCLUDED.creator_id, creator_username = EXCLUDED.creator_username,
        organization_id = EXCLUDED.organization_id, quality_score = EXCLUDED.quality_score,
        last_seen = EXCLUDED.last_seen, deleted_at = NULL
    RETURNING i.sequence_id, i.captured_at, (i.xmax = 0) AS inserted
),
seqs AS (
    INSERT INTO sequences AS q (id, first_captured_at, last_captured_at)
    SELECT sequence_id, min(captured_at), max(captured_at) FROM up GROUP BY sequence_id ORDER BY sequence_id
    ON CONFLICT (id) DO UPDATE SET
        first_captured_at = least(q.first_captured_at, EXCLUDED.first_captured_at),
        last_captured_at = greatest(q.last_captured_at, EXCLUDED.last_captured_at),
        last_seen = EXCLUDED.last_seen
    RETURNING (q.xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM up) AS images,
       (SELECT count(*) FROM up WHERE inserted) AS new_images,
       (SELECT count(*) FROM seqs WHERE inserted) AS new_sequences;
