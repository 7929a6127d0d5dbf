-- Extension $1 (the C spacing walk): its version in this database (NULL: not created) and
-- the version the server's files offer (NULL: not installed on the server).
SELECT (SELECT extversion FROM pg_extension WHERE extname = $1) AS installed,
       (SELECT default_version FROM pg_available_extensions WHERE name = $1) AS available;
