-- A result's numeric id (names its tables) by name: $1 result name.
SELECT id FROM filter_results WHERE name = $1;
