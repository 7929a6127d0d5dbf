-- Result $1 is complete: store its counts ($3: result_counts.sql's, then $2: this run's
-- figures, which win, both JSON) and mark it finished.
UPDATE filter_results r
SET counts = $3::jsonb || $2::jsonb, state = 'finished', updated_at = now()
WHERE r.name = $1
RETURNING r.counts;
