-- A fingerprint of the plan: a resumed export trusts finished shards only when it matches.
SELECT coalesce(sum(n), 0)::bigint AS rows,
       count(*)::bigint AS sequences,
       coalesce(sum((hashtext(sequence_id)::bigint + 2147483648) * (shard + 1) % 1000000007 * n), 0)::text AS checksum
FROM export_plan
