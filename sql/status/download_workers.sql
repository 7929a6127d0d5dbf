-- Each download process of a job's current generation (and any still marked running):
-- what it claimed, downloaded, skipped (already stored) and failed. 'silent': marked
-- running but not heard from for over a minute (killed, frozen or cut off).
SELECT w.job_id AS job, w.worker, w.shard,
       CASE WHEN w.state = 'running' AND w.seen_at < now() - interval '1 minute' THEN 'silent' ELSE w.state END AS state,
       w.batches, w.claimed, w.downloaded, w.skipped, w.failed, w.bytes, w.started_at, w.seen_at,
       (SELECT count(*) FROM image_download_batches b
        WHERE b.job_id = w.job_id AND b.lease_owner = w.worker AND b.state = 'running') AS holding
FROM image_download_workers w
JOIN image_download_jobs j ON j.id = w.job_id
WHERE w.state = 'running' OR j.seeded_at IS NULL OR w.seen_at >= j.seeded_at
ORDER BY w.job_id, w.started_at, w.worker
