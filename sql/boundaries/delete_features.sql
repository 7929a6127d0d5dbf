-- Remove layer $1's features before a reload (parts go with them: ON DELETE CASCADE).
DELETE FROM boundary_features WHERE layer_id = $1;
