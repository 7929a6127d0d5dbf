-- Per-shard row and sequence counts of the plan, and the largest sequence.
SELECT shard, sum(n)::bigint AS rows, count(*)::bigint AS sequences, max(n) AS largest_sequence
FROM export_plan
GROUP BY shard
ORDER BY shard
