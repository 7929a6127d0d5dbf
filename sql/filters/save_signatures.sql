-- Bucket $2 of result $1 is done: store its sequences' new signatures in {signatures} (the
-- result's partition; delete_bucket.sql removed their old ones, vanished sequences have
-- none). This runs in the bucket's transaction, so a killed run redoes exactly the
-- unfinished buckets.
INSERT INTO {signatures} (result_name, sequence_id, signature)
SELECT $1, sequence_id, signature FROM {work} WHERE bucket = $2 AND signature IS NOT NULL;
