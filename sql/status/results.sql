-- Filter results with their parameters and counts.
SELECT name, params, counts, updated_at FROM filter_results ORDER BY updated_at DESC;
