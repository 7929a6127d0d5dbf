-- $1 index name: rebuilt, no longer pending.
DELETE FROM images_bulk_indexes WHERE name = $1
