-- Number of kept rows of result $1 in class $2 ('urban' | 'other' | 'all'), from its lines' counts.
SELECT coalesce(sum(CASE $2 WHEN 'urban' THEN kept_urban_count WHEN 'other' THEN kept_other_count
                            ELSE kept_count END), 0)::bigint
FROM filter_sequence_lines WHERE result_name = $1
