-- $1 'DISABLE', 'ENABLE' or 'DROP': the statements that turn the sequence change-stamp
-- triggers of images (migrations/sql/0009) off while a bulk load copies rows in, on again
-- when it ends, or drop them before Citus distributes images (it takes no triggers on a
-- distributed table by default; none exist there afterwards). Names quoted by format(%I).
SELECT CASE $1::text WHEN 'DROP' THEN format('DROP TRIGGER %I ON images', tgname)
                     ELSE format('ALTER TABLE images %s TRIGGER %I',
                                 CASE WHEN $1::text = 'ENABLE' THEN 'ENABLE' ELSE 'DISABLE' END, tgname)
       END AS statement
FROM pg_trigger
WHERE tgrelid = 'images'::regclass AND tgname LIKE 'images\_stamp\_%'
ORDER BY tgname
