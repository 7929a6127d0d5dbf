DROP TRIGGER IF EXISTS images_stamp_insert ON images;
DROP TRIGGER IF EXISTS images_stamp_update ON images;
DROP TRIGGER IF EXISTS images_stamp_delete ON images;
DROP TRIGGER IF EXISTS images_stamp_truncate ON images;
DROP FUNCTION IF EXISTS mlyetl_stamp_sequences();
DROP TABLE IF EXISTS sequence_changes;
DROP SEQUENCE IF EXISTS sequence_change_stamps;
