-- Extension $1 (the C spacing walk): its version in this database (NULL: not created) and
-- whether the server has its files (then CREATE EXTENSION can create it).
SELECT (SELECT extversion FROM pg_extension WHERE extname = $1) AS installed,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = $1) AS available;
