-- Result $1 is complete: store its counts ($2: this run's figures, JSON) and mark it finished.
-- The counts are summed from the result's sequence lines (one row per sequence with clipped
-- images, written in the same transaction as its points), not counted from its points:
-- the same figures from ~100x fewer rows. A curated result's lines count its dataset (after
-- thinning and caps, curate_lines.sql); counts in $2 win: its spacing_kept_* come from
-- its candidates.
UPDATE filter_results r
SET counts = jsonb_build_object(
        'clipped', c.clipped, 'duplicates', c.duplicates, 'urban', c.urban, 'other', c.other,
        'kept_urban', c.kept_urban, 'kept_other', c.kept_other, 'kept', c.kept_urban + c.kept_other,
        'spacing_kept_urban', c.kept_urban, 'spacing_kept_other', c.kept_other,
        'sequences', c.sequences) || $2::jsonb,
    state = 'finished', updated_at = now()
FROM (
    SELECT coalesce(sum(image_count + duplicate_count), 0) AS clipped,
           coalesce(sum(duplicate_count), 0) AS duplicates,
           coalesce(sum(urban_count), 0) AS urban,
           coalesce(sum(other_count), 0) AS other,
           coalesce(sum(kept_urban_count), 0) AS kept_urban,
           coalesce(sum(kept_other_count), 0) AS kept_other,
           count(*) AS sequences
    FROM {lines} WHERE result_name = $1  -- the result's partition
) c
WHERE r.name = $1
RETURNING r.counts;
