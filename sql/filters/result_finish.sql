-- Result $1 is complete: store its counts ($2: this run's figures, JSON) and mark it finished.
UPDATE filter_results r
SET counts = $2::jsonb || jsonb_build_object(
        'clipped', c.clipped, 'duplicates', c.duplicates, 'urban', c.urban, 'other', c.other,
        'kept_urban', c.kept_urban, 'kept_other', c.kept_other, 'kept', c.kept_urban + c.kept_other,
        'sequences', (SELECT count(*) FROM filter_sequence_lines l WHERE l.result_name = $1)),
    state = 'finished', updated_at = now()
FROM (
    SELECT count(*) AS clipped,
           count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS duplicates,
           count(*) FILTER (WHERE duplicate_of IS NULL AND class = 'urban') AS urban,
           count(*) FILTER (WHERE duplicate_of IS NULL AND class = 'other') AS other,
           count(*) FILTER (WHERE kept AND class = 'urban') AS kept_urban,
           count(*) FILTER (WHERE kept AND class = 'other') AS kept_other
    FROM filter_points WHERE result_name = $1
) c
WHERE r.name = $1
RETURNING r.counts;
