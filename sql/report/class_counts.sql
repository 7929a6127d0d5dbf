-- Images and kept images per class and the sequences they belong to: $1 result name.
SELECT class, count(*) AS images, count(*) FILTER (WHERE kept) AS kept,
       count(DISTINCT sequence_id) AS sequences
FROM filter_points WHERE result_name = $1 GROUP BY class ORDER BY class;
