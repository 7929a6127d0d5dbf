-- $1 'DISABLE' or 'ENABLE': the statements that turn the sequence change-stamp triggers
-- of images (migrations/sql/0009) off while a bulk load copies rows in, and on again when
-- it ends (none on Citus, where the triggers do not exist). Names quoted by format(%I).
SELECT format('ALTER TABLE images %s TRIGGER %I', CASE WHEN $1::text = 'ENABLE' THEN 'ENABLE' ELSE 'DISABLE' END,
              tgname) AS statement
FROM pg_trigger
WHERE tgrelid = 'images'::regclass AND tgname LIKE 'images\_stamp\_%'
ORDER BY tgname
