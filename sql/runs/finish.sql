-- $1 run id, $2 status, $3 counters (jsonb), $4 error text
UPDATE runs SET finished_at = now(), status = $2, counters = $3::jsonb, error = $4 WHERE id = $1;
