-- Does the result's partition table $1 exist, and is it attached to filter_points?
SELECT to_regclass($1) IS NOT NULL AS present,
       EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1)) AS attached;
