-- Image downloads (mlyetl images download): one row per image and size, with its outcome.
-- A rerun skips 'done' images whose file is there and leaves 'failed' ones to --retry-failed.
CREATE TABLE image_downloads (
    image_id   bigint      NOT NULL,
    size       text        NOT NULL CHECK (size IN ('256', '1024', '2048', 'original')),
    state      text        NOT NULL CHECK (state IN ('done', 'failed')),
    path       text,                    -- the main file (absolute), when done
    bytes      bigint,
    attempts   smallint    NOT NULL DEFAULT 1,   -- tries across runs
    error      text,                    -- why it failed; never a URL or a token
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (image_id, size)
);
CREATE INDEX image_downloads_failed ON image_downloads (size) WHERE state = 'failed';
COMMENT ON TABLE image_downloads IS 'Image download outcomes per image and size (mlyetl images download).';
