-- Bulk load end: the sequences of the loaded images (the per-batch upsert's job in
-- normal loads). Returns how many sequences are new.
WITH seqs AS (
    INSERT INTO sequences AS q (id, first_captured_at, last_captured_at)
    SELECT sequence_id, min(captured_at), max(captured_at) FROM images GROUP BY sequence_id
    ON CONFLICT (id) DO UPDATE SET
        first_captured_at = least(q.first_captured_at, EXCLUDED.first_captured_at),
        last_captured_at = greatest(q.last_captured_at, EXCLUDED.last_captured_at),
        last_seen = EXCLUDED.last_seen  -- its default, now() (Citus: see upsert_images.sql)
    RETURNING (q.xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) FROM seqs
