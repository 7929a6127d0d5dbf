-- Start result $1 over (new parameters with --replace, or a reloaded layer): its
-- partitions (points, lines, signatures) are dropped separately; params $2, layers $3.
UPDATE filter_results SET params = $2::jsonb, layers = $3::jsonb, state = 'running', counts = '{}',
                          updated_at = now()
WHERE name = $1;
