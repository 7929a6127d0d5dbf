-- Sequence lengths of a result in power-of-two bins of metres: bin k holds lengths in
-- [2^k, 2^(k+1)) m (k = -1 for a length under 1 m, one-image sequences included).
-- $1 result name
SELECT CASE WHEN coalesce(length_m, 0) < 1 THEN -1 ELSE floor(log(2, length_m::numeric))::int END AS bin,
       count(*) AS sequences
FROM filter_sequence_lines
WHERE result_name = $1
GROUP BY 1
ORDER BY 1;
