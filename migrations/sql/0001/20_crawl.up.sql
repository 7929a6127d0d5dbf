-- The crawl work queue. A crawl is identified by its area and settings, so that the
-- same command finds the same crawl again and resumes it.
CREATE TABLE crawls (
    id          bigserial   PRIMARY KEY,
    key         text        NOT NULL UNIQUE,      -- hash of area + method + filters
    method      text        NOT NULL CHECK (method IN ('search', 'tiles')),
    area        geometry(MultiPolygon, 4326) NOT NULL,
    settings    jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX crawls_area_gist ON crawls USING gist (area);
COMMENT ON TABLE crawls IS 'One crawl: an area with a discovery method and filters; the same command resumes it.';

-- The crawl area cut into small polygons (ST_Subdivide), so that the per-image
-- "is it inside the area" test is one cheap index probe even for a continent.
CREATE TABLE crawl_area_parts (
    id       bigserial PRIMARY KEY,
    crawl_id bigint    NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    geom     geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX crawl_area_parts_geom_gist ON crawl_area_parts USING gist (geom);
CREATE INDEX crawl_area_parts_crawl ON crawl_area_parts (crawl_id);
COMMENT ON TABLE crawl_area_parts IS 'A crawl area cut small (ST_Subdivide) for fast point-in-area tests.';

-- Every box, tile and sequence task of a crawl, with its state.
CREATE TABLE crawl_tasks (
    id               bigserial   PRIMARY KEY,
    crawl_id         bigint      NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('box', 'tile', 'sequence')),
    key              text        NOT NULL,       -- 'W,S,E,N' | 'z/x/y' | sequence id
    depth            smallint    NOT NULL DEFAULT 0,
    geom             geometry(Polygon, 4326),     -- footprint of a box or tile
    inside           boolean     NOT NULL DEFAULT false,  -- footprint wholly inside the area
    state            text        NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'running', 'done', 'empty', 'split', 'failed')),
    attempts         smallint    NOT NULL DEFAULT 0,
    result_count     integer,
    last_error       text,
    lease_owner      text,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (crawl_id, kind, key)
);
CREATE INDEX crawl_tasks_claimable ON crawl_tasks (crawl_id, id) WHERE state IN ('pending', 'running');
CREATE INDEX crawl_tasks_failed ON crawl_tasks (crawl_id) WHERE state = 'failed';
CREATE INDEX crawl_tasks_geom_gist ON crawl_tasks USING gist (geom);
COMMENT ON TABLE crawl_tasks IS 'Crawl work queue: one box, tile or sequence task with its state and lease.';
