DROP TABLE IF EXISTS image_download_workers, image_download_batches, image_download_jobs;
