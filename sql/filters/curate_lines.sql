-- Curation, step 5: the kept counts of result $1's sequence lines ({lines}) become those of
-- its curated dataset ({dataset}), so that everything reading the lines (export plans,
-- report, result counts) counts what the dataset holds. Only lines whose counts change are
-- written.
UPDATE {lines} l
SET kept_count = c.urban + c.other, kept_urban_count = c.urban, kept_other_count = c.other
FROM (
    SELECT s.sequence_id,
           (count(p.image_id) FILTER (WHERE p.class = 'urban'))::integer AS urban,
           (count(p.image_id) FILTER (WHERE p.class = 'other'))::integer AS other
    FROM {lines} s
    LEFT JOIN {dataset} p ON p.sequence_id = s.sequence_id AND p.result_name = $1
    WHERE s.result_name = $1
    GROUP BY s.sequence_id
) c
WHERE l.result_name = $1 AND l.sequence_id = c.sequence_id
  AND (l.kept_urban_count, l.kept_other_count) IS DISTINCT FROM (c.urban, c.other);
