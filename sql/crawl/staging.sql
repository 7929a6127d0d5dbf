-- The writer's staging table: one per connection, emptied at every commit.
-- Positions stay plain numbers here; the upsert builds the geometries.
CREATE TEMP TABLE IF NOT EXISTS crawl_staging (
    id                     bigint,
    sequence_id            text,
    captured_ms            bigint,
    lon                    float8,
    lat                    float8,
    geom_is_computed       boolean,
    orig_lon               float8,
    orig_lat               float8,
    compass_angle          float8,
    computed_compass_angle float8,
    altitude               float8,
    computed_altitude      float8,
    is_pano                boolean,
    camera_type            text,
    make                   text,
    model                  text,
    width                  integer,
    height                 integer,
    creator_id             bigint,
    creator_username       text,
    organization_id        bigint,
    quality_score          real,
    check_area             boolean
) ON COMMIT DELETE ROWS;
