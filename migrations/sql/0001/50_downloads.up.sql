-- Image downloads: one row per image and size, with its outcome.
CREATE TABLE image_downloads (
    image_id   bigint      NOT NULL,
    size       text        NOT NULL,    -- '256' | '1024' | '2048' | 'original'
    state      text        NOT NULL CHECK (state IN ('done', 'failed')),
    path       text,
    bytes      bigint,
    attempts   smallint    NOT NULL DEFAULT 1,
    error      text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (image_id, size)
);
CREATE INDEX image_downloads_failed ON image_downloads (size) WHERE state = 'failed';
