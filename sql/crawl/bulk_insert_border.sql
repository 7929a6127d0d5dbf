-- $1 crawl id. Bulk load: the staged border rows whose point is in the area go straight
-- into images (no key yet: duplicates are removed once, when the load finishes).
INSERT INTO images (
    id, sequence_id, captured_at, geom, geom_is_computed, original_geom, compass_angle,
    computed_compass_angle, altitude, computed_altitude, is_pano, camera_type, make, model,
    width, height, creator_id, creator_username, organization_id, quality_score)
SELECT id, sequence_id, captured_at, geom, geom_is_computed, original_geom, compass_angle,
       computed_compass_angle, altitude, computed_altitude, is_pano, camera_type, make, model,
       width, height, creator_id, creator_username, organization_id, quality_score
FROM crawl_staging_border b
WHERE EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, b.geom))
