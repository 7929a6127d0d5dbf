-- Clipped images (duplicates excluded) and kept images per class, and the sequences with
-- images of the class, summed from the result's sequence lines: $1 result name.
SELECT c.class, sum(c.images)::bigint AS images, sum(c.kept)::bigint AS kept,
       count(*) FILTER (WHERE c.images > 0) AS sequences
FROM filter_sequence_lines l
CROSS JOIN LATERAL (VALUES ('other', l.other_count, l.kept_other_count),
                           ('urban', l.urban_count, l.kept_urban_count)) AS c (class, images, kept)
WHERE l.result_name = $1
GROUP BY c.class
HAVING sum(c.images) > 0
ORDER BY c.class;
