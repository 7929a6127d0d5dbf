-- Result $1's counts, summed from its sequence lines (one row per sequence with clipped
-- images, written in the same transaction as its points), not counted from its points: the
-- same figures from ~100x fewer rows. A curated result's lines count its dataset (after
-- thinning and caps, curate_lines.sql); its spacing_kept_* in the run's figures win. Read apart from the UPDATE of result_finish.sql: on
-- Citus one statement may not read shards in parallel and change filter_results.
SELECT jsonb_build_object(
           'clipped', coalesce(sum(image_count + duplicate_count), 0),
           'duplicates', coalesce(sum(duplicate_count), 0),
           'urban', coalesce(sum(urban_count), 0),
           'other', coalesce(sum(other_count), 0),
           'kept_urban', coalesce(sum(kept_urban_count), 0),
           'kept_other', coalesce(sum(kept_other_count), 0),
           'kept', coalesce(sum(kept_urban_count), 0) + coalesce(sum(kept_other_count), 0),
           'spacing_kept_urban', coalesce(sum(kept_urban_count), 0),
           'spacing_kept_other', coalesce(sum(kept_other_count), 0),
           'sequences', count(*))
FROM {lines} WHERE result_name = $1;  -- the result's partition
