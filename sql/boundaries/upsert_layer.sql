-- Create layer ($1 kind, $2 name, $3 source, $4 grid cell size) or take it over for a
-- reload; returns its id. Its old features (and their parts) are removed in the same
-- transaction as the new ones are written, so a failed reload leaves the layer untouched.
-- (loaded_at = EXCLUDED.loaded_at: on Citus a DO UPDATE SET takes only immutable expressions)
INSERT INTO boundary_layers (kind, name, source, cell_size, loaded_at)
VALUES ($1, $2, $3, $4, clock_timestamp())
ON CONFLICT (kind, name) DO UPDATE
    SET source = EXCLUDED.source, cell_size = EXCLUDED.cell_size, loaded_at = EXCLUDED.loaded_at,
        outline = NULL, feature_count = 0, part_count = 0, cell_count = 0
RETURNING id;
