-- The kept images of bucket $2's sequences into {points} (the result's partition) for
-- result $1, from the walk's per-sequence arrays, with the attributes export writes, from
-- images (by primary key: a few percent of the images are kept). The point is rebuilt from
-- the image's own lon/lat doubles: exactly its position.
-- The bucket's sequences are picked first (MATERIALIZED): left to the planner, scratch
-- tables without fresh statistics at 20 M images made it look up the kept images of every
-- bucket's sequences and drop the others' afterwards (twice the work).
-- Each kept image is then looked up by its primary key ({fence}: the lookup cannot be
-- turned into a join): the planner, which guesses ten kept images per sequence, otherwise
-- read all of images (a merge join along the primary key, or a hash join) to find them.
WITH bucket AS MATERIALIZED (
    SELECT w.sequence_id, s.kept_ids, s.kept_urban, s.kept_lon, s.kept_lat
    FROM {walk} s
    JOIN {work} w ON w.seq_no = s.seq_no AND w.bucket = $2
)
INSERT INTO {points} (result_name, image_id, sequence_id, class, geom, captured_at, compass_angle, altitude,
                      is_pano, width, height, make, model, creator_username)
SELECT $1, k.id, b.sequence_id, CASE WHEN k.urban THEN 'urban' ELSE 'other' END,
       ST_SetSRID(ST_MakePoint(k.lon, k.lat), 4326),
       i.captured_at,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
            ELSE i.compass_angle END,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude) ELSE i.altitude END,
       i.is_pano, i.width, i.height, i.make, i.model, i.creator_username
FROM bucket b
CROSS JOIN LATERAL unnest(b.kept_ids, b.kept_urban, b.kept_lon, b.kept_lat) AS k(id, urban, lon, lat)
CROSS JOIN LATERAL (
    SELECT i.* FROM images i
    WHERE i.id = k.id AND i.sequence_id = b.sequence_id  -- the shard of the sequence (Citus)
    {fence}  -- OFFSET 0: one primary-key lookup per kept image (left out on Citus)
) i
