-- Remove the download jobs of result $1 (its id), with their batches and workers. On a
-- single server the jobs would go with the result's row (ON DELETE CASCADE); on Citus the
-- queue is a coordinator table without that key (etl/db/citus.py).
DELETE FROM image_download_jobs WHERE result_id = $1;
