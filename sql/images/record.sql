-- Record a batch of outcomes: arrays of image id, state, path, bytes, error; size $6.
-- attempts counts tries of this image and size across runs.
INSERT INTO image_downloads AS d (image_id, size, state, path, bytes, error, attempts, updated_at)
SELECT u.image_id, $6, u.state, u.path, u.bytes, u.error, 1, now()
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS u(image_id, state, path, bytes, error)
ON CONFLICT (image_id, size) DO UPDATE
SET state = EXCLUDED.state, path = EXCLUDED.path, bytes = EXCLUDED.bytes, error = EXCLUDED.error,
    attempts = d.attempts + 1, updated_at = EXCLUDED.updated_at  -- now(); Citus takes no now() here
