-- Result $1's row, if it exists.
SELECT id, params, layers, state FROM filter_results WHERE name = $1;
