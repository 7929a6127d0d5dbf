-- $1 crawl id (whose area parts test border rows). Staged rows -> images (and their
-- sequences), one statement per batch, writing only what changed.
-- Border rows (crawl_staging_border) are kept only when the point is in the area.
-- DISTINCT ON drops an image seen twice in one batch (it lay on a shared box edge);
-- the id order gives every writer the same lock order, which avoids deadlocks.
-- An image whose stored attributes equal the answer's is not written at all (`changed`, and
-- the DO UPDATE's WHERE for a row written meanwhile by another writer): no new row version,
-- no dead tuple, and the filter's signatures (row versions)
-- stay as they are. A deleted image that is answered again is undeleted. organization_id
-- is only ever filled in: a crawl without --organization-id does not know it.
-- last_seen = EXCLUDED.last_seen: the staged row's default, now(), i.e. when the row was
-- last written (on Citus the DO UPDATE SET of a distributed table takes no now(), only
-- immutable expressions).
WITH kept AS (
    SELECT DISTINCT ON (s.id) s.*
    FROM (SELECT * FROM crawl_staging
          UNION ALL
          SELECT b.* FROM crawl_staging_border b
          WHERE EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, b.geom))) s
    ORDER BY s.id
),
-- Rows that are new or differ from the stored ones, found by key lookups before the upsert:
-- an unchanged row is then not even locked (ON CONFLICT locks the row it meets, which
-- dirties its page), so a pass over an unchanged area writes nothing at all. (The stored
-- rows are read in a CTE of their own, by key: Citus plans it on the shards.)
stored AS (
    SELECT i.id, i.deleted_at, i.sequence_id, i.captured_at, ST_AsEWKB(i.geom) AS g, i.geom_is_computed,
           ST_AsEWKB(i.original_geom) AS og, i.compass_angle, i.computed_compass_angle, i.altitude,
           i.computed_altitude, i.is_pano, i.camera_type, i.make, i.model, i.width, i.height, i.creator_id,
           i.creator_username, i.quality_score, i.organization_id
    FROM images i
    WHERE i.id IN (SELECT id FROM kept)
),
changed AS (
    SELECT k.*
    FROM kept k
    LEFT JOIN stored i ON i.id = k.id
    WHERE i.id IS NULL OR i.deleted_at IS NOT NULL
       OR (i.sequence_id, i.captured_at, i.g, i.geom_is_computed, i.og, i.compass_angle, i.computed_compass_angle,
           i.altitude, i.computed_altitude, i.is_pano, i.camera_type, i.make, i.model, i.width, i.height,
           i.creator_id, i.creator_username, i.quality_score, coalesce(k.organization_id, i.organization_id))
          IS DISTINCT FROM
          (k.sequence_id, k.captured_at, ST_AsEWKB(k.geom), k.geom_is_computed, ST_AsEWKB(k.original_geom),
           k.compass_angle, k.computed_compass_angle, k.altitude, k.computed_altitude, k.is_pano, k.camera_type,
           k.make, k.model, k.width, k.height, k.creator_id, k.creator_username, k.quality_score, i.organization_id)
    ORDER BY k.id
),
was_deleted AS (  -- the statement's snapshot: the rows as they were before the upsert
    SELECT id FROM stored WHERE deleted_at IS NOT NULL
),
up AS (
    INSERT INTO images AS i  -- the staging tables are LIKE images: same columns, same order
    SELECT * FROM changed
    ON CONFLICT ON CONSTRAINT images_pkey DO UPDATE SET  -- (id), or (id, sequence_id) on Citus
        sequence_id = EXCLUDED.sequence_id, captured_at = EXCLUDED.captured_at, geom = EXCLUDED.geom,
        geom_is_computed = EXCLUDED.geom_is_computed, original_geom = EXCLUDED.original_geom,
        compass_angle = EXCLUDED.compass_angle, computed_compass_angle = EXCLUDED.computed_compass_angle,
        altitude = EXCLUDED.altitude, computed_altitude = EXCLUDED.computed_altitude,
        is_pano = EXCLUDED.is_pano, camera_type = EXCLUDED.camera_type, make = EXCLUDED.make,
        model = EXCLUDED.model, width = EXCLUDED.width, height = EXCLUDED.height,
        creator_id = EXCLUDED.creator_id, creator_username = EXCLUDED.creator_username,
        organization_id = coalesce(EXCLUDED.organization_id, i.organization_id),
        quality_score = EXCLUDED.quality_score,
        last_seen = EXCLUDED.last_seen, deleted_at = NULL
    WHERE i.deleted_at IS NOT NULL
       OR (i.sequence_id, i.captured_at, ST_AsEWKB(i.geom), i.geom_is_computed, ST_AsEWKB(i.original_geom),
           i.compass_angle, i.computed_compass_angle, i.altitude, i.computed_altitude, i.is_pano, i.camera_type,
           i.make, i.model, i.width, i.height, i.creator_id, i.creator_username, i.quality_score,
           coalesce(EXCLUDED.organization_id, i.organization_id))
          IS DISTINCT FROM
          (EXCLUDED.sequence_id, EXCLUDED.captured_at, ST_AsEWKB(EXCLUDED.geom), EXCLUDED.geom_is_computed,
           ST_AsEWKB(EXCLUDED.original_geom), EXCLUDED.compass_angle, EXCLUDED.computed_compass_angle,
           EXCLUDED.altitude, EXCLUDED.computed_altitude, EXCLUDED.is_pano, EXCLUDED.camera_type, EXCLUDED.make,
           EXCLUDED.model, EXCLUDED.width, EXCLUDED.height, EXCLUDED.creator_id, EXCLUDED.creator_username,
           EXCLUDED.quality_score, i.organization_id)
    RETURNING i.id, i.sequence_id, i.captured_at, (i.xmax = 0) AS inserted
),
seqs AS (  -- written only when new or widened
    INSERT INTO sequences AS q (id, first_captured_at, last_captured_at)
    SELECT sequence_id, min(captured_at), max(captured_at) FROM up GROUP BY sequence_id ORDER BY sequence_id
    ON CONFLICT (id) DO UPDATE SET
        first_captured_at = least(q.first_captured_at, EXCLUDED.first_captured_at),
        last_captured_at = greatest(q.last_captured_at, EXCLUDED.last_captured_at),
        last_seen = EXCLUDED.last_seen
    WHERE EXCLUDED.first_captured_at < q.first_captured_at OR EXCLUDED.last_captured_at > q.last_captured_at
    RETURNING (q.xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM kept) AS seen,
       (SELECT count(*) FROM up) AS images,
       (SELECT count(*) FROM up WHERE inserted) AS new_images,
       (SELECT count(*) FROM up WHERE NOT inserted AND id IN (SELECT id FROM was_deleted)) AS restored_images,
       (SELECT count(*) FROM seqs WHERE inserted) AS new_sequences;
