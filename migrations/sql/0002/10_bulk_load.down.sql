DROP TABLE IF EXISTS images_bulk_indexes;
