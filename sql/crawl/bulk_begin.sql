-- $1 crawl id. Starts a bulk load: records every index of images (the primary key
-- included) and returns the statements that drop them. Names are quoted by format(%I).
WITH saved AS (
    INSERT INTO images_bulk_indexes (name, definition, constraint_name, constraint_type, crawl_id)
    SELECT c.relname, pg_get_indexdef(x.indexrelid), con.conname, con.contype, $1
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
    WHERE x.indrelid = 'images'::regclass
    RETURNING name, constraint_name
)
SELECT CASE WHEN constraint_name IS NULL THEN format('DROP INDEX %I', name)
            ELSE format('ALTER TABLE images DROP CONSTRAINT %I', constraint_name) END AS statement
FROM saved
