-- Dissolve layer $1's features into its outline and store the counts.
UPDATE boundary_layers l
SET outline = (SELECT ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(f.geom)), 3))
               FROM boundary_features f WHERE f.layer_id = l.id),
    feature_count = (SELECT count(*) FROM boundary_features f WHERE f.layer_id = l.id),
    part_count = (SELECT count(*) FROM boundary_parts p WHERE p.layer_id = l.id),
    cell_count = (SELECT count(*) FROM boundary_cells c WHERE c.layer_id = l.id)
WHERE l.id = $1
RETURNING feature_count, part_count, cell_count;
