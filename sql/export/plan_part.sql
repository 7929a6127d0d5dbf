-- The sequences of some shards ($1 = shard numbers) with their plan order, streamed by
-- COPY from the planning connection into a writing connection's export_part (C to C:
-- no Python object per sequence, and memory bounded whatever the plan's size).
SELECT sequence_id, ord FROM export_plan WHERE shard = ANY($1::integer[]) ORDER BY ord
