-- A filter result's parameters, state and when it last changed ($1 = result name).
SELECT name, params, counts, state, updated_at FROM filter_results WHERE name = $1
