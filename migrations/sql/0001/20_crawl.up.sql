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

-- Every box, tile and sequence task of a crawl, with its state.
CREATE TABLE crawl_tasks (
    id               bigserial   PRIMARY KEY,
    crawl_id         bigint      NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('box', 'tile', 'sequence')),
    key              text        NOT NULL,       -- 'W,S,E,N' | 'z/x/y' | sequence id
    depth            smallint    NOT NULL DEFAULT 0,
    geom             geometry(Polygon, 4326),     -- footprint of a box or tile
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
CREATE INDEX crawl_tasks_claimable ON crawl_tasks (crawl_id, kind, id) WHERE state IN ('pending', 'running');
CREATE INDEX crawl_tasks_geom_gist ON crawl_tasks USING gist (geom);
