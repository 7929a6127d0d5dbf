-- The id of the layer of kind $1 named $2, if any.
SELECT id FROM boundary_layers WHERE kind = $1 AND name = $2;
