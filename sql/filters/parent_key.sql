-- The primary key columns of partitioned table $1, quoted and in key order: a result's
-- partitions get the same key (on Citus it includes the distribution column, etl/db/citus.py).
SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
FROM pg_constraint c
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.conrelid = $1::regclass AND c.contype = 'p';
