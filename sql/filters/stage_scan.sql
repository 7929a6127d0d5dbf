-- One block range of stage_chunk.sql, from tid ${first} (inclusive) to ${end} (exclusive):
-- its live images that pass the cheap attribute filters ({other_filters}), with lon/lat
-- (OFFSET 0: computed once per image, not again in each use above).
(SELECT i.id, i.sequence_id, i.captured_at, i.geom, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
 FROM images i
 WHERE i.ctid >= ${first}::tid AND i.ctid < ${end}::tid
   AND i.deleted_at IS NULL
   AND {other_filters}
 OFFSET 0)
