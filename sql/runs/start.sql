-- $1 kind, $2 settings (jsonb), $3 host, $4 pid
INSERT INTO runs (kind, settings, host, pid) VALUES ($1, $2::jsonb, $3, $4) RETURNING id;
