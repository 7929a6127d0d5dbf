-- $1 crawl id: the indexes still to rebuild, the largest (GiST) first so that two builders finish together.
SELECT name, definition, constraint_name, constraint_type::text AS constraint_type,
       to_regclass(quote_ident(name)) IS NOT NULL AS index_exists,
       EXISTS (SELECT 1 FROM pg_constraint c
               WHERE c.conrelid = 'images'::regclass AND c.conname = b.constraint_name) AS constraint_exists
FROM images_bulk_indexes b
WHERE crawl_id = $1
ORDER BY definition NOT LIKE '% USING gist %', name
