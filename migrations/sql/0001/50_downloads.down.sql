DROP TABLE IF EXISTS image_downloads;
