-- A new result: $1 name, $2 params (JSON), $3 layer versions (JSON).
INSERT INTO filter_results (name, params, layers) VALUES ($1, $2::jsonb, $3::jsonb) RETURNING id;
