-- The outline (dissolved MultiPolygon, EPSG:4326) of layer $1 as WKB.
SELECT ST_AsBinary(outline) FROM boundary_layers WHERE id = $1;
