-- Remove a result's row (its tables are dropped beforehand; any rows left in lines and
-- sequence signatures would go with it, ON DELETE CASCADE, on a single server). $1 result name.
DELETE FROM filter_results WHERE name = $1;
