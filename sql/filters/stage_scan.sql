-- One block range of stage_share.sql, from the tid of the first parameter below (inclusive)
-- to that of the second (exclusive): its live images that pass the cheap attribute filters,
-- with lon/lat (OFFSET 0: computed once per image, not again in each use above).
(SELECT i.id, i.sequence_id, i.captured_at, i.geom, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
 FROM images i
 WHERE i.ctid >= ${first}::tid AND i.ctid < ${end}::tid
   AND i.deleted_at IS NULL
   AND {other_filters}
 OFFSET 0)
