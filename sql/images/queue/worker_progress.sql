-- Upsert the progress of worker $2 in job $1: shard $3, state $4, then the counters.
INSERT INTO image_download_workers AS w (job_id, worker, shard, state, batches, claimed, downloaded, skipped, failed, bytes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (job_id, worker) DO UPDATE
SET state = EXCLUDED.state, batches = EXCLUDED.batches, claimed = EXCLUDED.claimed,
    downloaded = EXCLUDED.downloaded, skipped = EXCLUDED.skipped, failed = EXCLUDED.failed,
    bytes = EXCLUDED.bytes, seen_at = EXCLUDED.seen_at  -- the default, now(): Citus refuses now() itself here
