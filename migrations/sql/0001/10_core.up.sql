-- Core tables: the images and sequences harvested from Mapillary, and the log of runs.
CREATE EXTENSION IF NOT EXISTS postgis;

-- One row per command invocation that changes data (crawl, filter, export, images, run).
CREATE TABLE runs (
    id          bigserial PRIMARY KEY,
    kind        text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text        NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
    settings    jsonb       NOT NULL DEFAULT '{}',  -- never holds a token or password
    counters    jsonb       NOT NULL DEFAULT '{}',
    error       text,
    host        text,
    pid         integer
);
COMMENT ON TABLE runs IS 'One row per mlyetl command that changed data: its settings, counters and outcome.';

-- One row per Mapillary image. geom is the computed position when the API gives
-- one (it is corrected by structure-from-motion), else the original GPS position.
CREATE TABLE images (
    id                     bigint      PRIMARY KEY,        -- the Mapillary image id
    sequence_id            text        NOT NULL,
    captured_at            timestamptz NOT NULL,
    geom                   geometry(Point, 4326) NOT NULL,
    geom_is_computed       boolean     NOT NULL DEFAULT true,
    original_geom          geometry(Point, 4326),           -- the API's "geometry" (camera GPS)
    compass_angle          double precision,
    computed_compass_angle double precision,
    altitude               double precision,
    computed_altitude      double precision,
    is_pano                boolean     NOT NULL DEFAULT false,
    camera_type            text,
    make                   text,
    model                  text,
    width                  integer,
    height                 integer,
    creator_id             bigint,
    creator_username       text,
    organization_id        bigint,
    quality_score          real,
    first_seen             timestamptz NOT NULL DEFAULT now(),
    last_seen              timestamptz NOT NULL DEFAULT now(),
    deleted_at             timestamptz                      -- the API reported it deleted
);
CREATE INDEX images_geom_gist ON images USING gist (geom);
CREATE INDEX images_original_geom_gist ON images USING gist (original_geom);
CREATE INDEX images_sequence_order ON images (sequence_id, captured_at, id);
COMMENT ON TABLE images IS 'Mapillary images: one row per image id, position in geom (EPSG:4326).';

-- One row per sequence seen; image_count is the exact membership when /image_ids was asked.
CREATE TABLE sequences (
    id                   text        PRIMARY KEY,
    image_count          integer,
    first_captured_at    timestamptz,
    last_captured_at     timestamptz,
    first_seen           timestamptz NOT NULL DEFAULT now(),
    last_seen            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE sequences IS 'Mapillary sequences seen by crawls; image_count from /image_ids.';
