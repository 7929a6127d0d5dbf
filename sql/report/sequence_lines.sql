-- One simplified line per sequence of a result (its clipped images in capture order).
-- $1 result, $2 simplification tolerance in degrees (about a pixel)
SELECT ST_AsBinary(ST_Simplify(geom, $2)) AS wkb
FROM filter_sequence_lines
WHERE result_name = $1 AND geom IS NOT NULL;
