-- Every sequence of the stored images gets one change stamp, all the same new one: when
-- the log may have missed writes while the stamp triggers were off (at the end of a bulk
-- load, which turns them off, and in the filter's first stamp-based run of a result that
-- had signed image rows: etl/filters/signatures.py).
INSERT INTO sequence_changes (sequence_id, stamp)
SELECT DISTINCT i.sequence_id, s.stamp FROM images i, (SELECT nextval('sequence_change_stamps') AS stamp) s
