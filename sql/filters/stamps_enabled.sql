-- Are the sequence change stamps complete (etl/filters/signatures.py)? Only while all four
-- stamp triggers of images (migrations/sql/0009) exist and are on: a bulk load turns them
-- off until it ends, and on Citus they do not exist.
SELECT count(*) = 4
FROM pg_trigger
WHERE tgrelid = 'images'::regclass AND tgname LIKE 'images\_stamp\_%' AND tgenabled <> 'D'
