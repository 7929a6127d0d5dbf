-- Remove layer $1's features, parts (ON DELETE CASCADE) and grid cells before a reload.
WITH cells AS (DELETE FROM boundary_cells WHERE layer_id = $1 RETURNING 1)
DELETE FROM boundary_features WHERE layer_id = $1;
