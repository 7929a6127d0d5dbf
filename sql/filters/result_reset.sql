-- Start result $1 over (new parameters with --replace, or a reloaded layer): its lines and
-- signatures go (its points partition is dropped separately); params $2, layers $3.
WITH lines AS (DELETE FROM filter_sequence_lines WHERE result_name = $1 RETURNING 1),
     seqs AS (DELETE FROM filter_sequences WHERE result_name = $1 RETURNING 1)
UPDATE filter_results SET params = $2::jsonb, layers = $3::jsonb, state = 'running', counts = '{}',
                          updated_at = now()
WHERE name = $1;
