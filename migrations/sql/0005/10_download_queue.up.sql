-- Image downloads shared by any number of `mlyetl images download` processes (on one or
-- many machines): a job is one result, class, size, destination and resize; its images
-- are cut into batches of id ranges that workers claim under a lease, like crawl_tasks.
-- Plain tables with a primary key each (no triggers, no partial unique indexes), so that
-- they can be distributed or replicated as they are.
CREATE TABLE image_download_jobs (
    id           bigserial   PRIMARY KEY,
    result_id    integer     NOT NULL REFERENCES filter_results (id) ON DELETE CASCADE,
    class        text        NOT NULL CHECK (class IN ('urban', 'other', 'all')),
    size         text        NOT NULL CHECK (size IN ('256', '1024', '2048', 'original')),
    destination  text        NOT NULL,           -- absolute folder or s3://bucket/prefix
    resize       integer     NOT NULL DEFAULT 0, -- long side of the resized copy, 0: none
    generation   integer     NOT NULL DEFAULT 0, -- one pass over the result's images per generation
    retry_failed boolean     NOT NULL DEFAULT false, -- this generation retries failed images
    created_at   timestamptz NOT NULL DEFAULT now(),
    seeded_at    timestamptz,
    UNIQUE (result_id, class, size, destination, resize)
);
COMMENT ON TABLE image_download_jobs IS
    'Image download jobs (mlyetl images download): one per result, class, size, destination and resize.';

-- A batch holds the job's images with first_id < image_id <= last_id (the last batch
-- reaches the largest bigint, so images a filter rerun adds are covered too).
CREATE TABLE image_download_batches (
    job_id      bigint      NOT NULL REFERENCES image_download_jobs (id) ON DELETE CASCADE,
    batch_no    integer     NOT NULL,
    first_id    bigint      NOT NULL,
    last_id     bigint      NOT NULL,
    images      integer     NOT NULL,           -- when seeded
    state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done')),
    lease_owner text,                           -- host:pid:random of the worker holding it
    lease_until timestamptz,
    attempts    smallint    NOT NULL DEFAULT 0, -- claims; above 1 the batch was taken over
    done        integer,                        -- images finished (downloaded or already there)
    failed      integer,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, batch_no)
);
COMMENT ON TABLE image_download_batches IS
    'Claimed batches of an image download job (id ranges), leased like crawl_tasks.';

-- Each process's progress, refreshed with its lease; `mlyetl status` shows it per result.
CREATE TABLE image_download_workers (
    job_id      bigint      NOT NULL REFERENCES image_download_jobs (id) ON DELETE CASCADE,
    worker      text        NOT NULL,           -- host:pid:random
    shard       text,                           -- the shard file, for --shard workers
    state       text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished', 'failed')),
    batches     integer     NOT NULL DEFAULT 0, -- batches claimed
    claimed     bigint      NOT NULL DEFAULT 0, -- images in them (a --shard worker: images read)
    downloaded  bigint      NOT NULL DEFAULT 0,
    skipped     bigint      NOT NULL DEFAULT 0, -- already there
    failed      bigint      NOT NULL DEFAULT 0,
    bytes       bigint      NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, worker)
);
COMMENT ON TABLE image_download_workers IS 'Progress of each image download process (mlyetl status).';
