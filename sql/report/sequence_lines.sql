-- One simplified line per sequence of a result, in capture order.
-- $1 result, $2 simplification tolerance in degrees (about a pixel)
SELECT ST_AsBinary(ST_Simplify(ST_MakeLine(i.geom ORDER BY i.captured_at, i.id), $2)) AS wkb
FROM filter_points fp JOIN images i ON i.id = fp.image_id
WHERE fp.result_name = $1
GROUP BY fp.sequence_id
HAVING count(*) > 1;
