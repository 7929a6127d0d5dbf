-- A result's parameters and counts: $1 result name.
SELECT name, params, counts, created_at, updated_at FROM filter_results WHERE name = $1;
