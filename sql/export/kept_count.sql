-- Number of kept rows of result $1 in class $2 ('urban' | 'other' | 'all').
SELECT count(*)::bigint FROM filter_points
WHERE result_name = $1 AND ($2 = 'all' OR class = $2)
