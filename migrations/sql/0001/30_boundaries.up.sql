-- Named polygon layers (continents, urban areas, crawl areas), loaded by etl.boundaries.
-- Layer names are validated in Python (etl/boundaries/names.py) and always passed as
-- bind parameters; the CHECK is a second line of defence.
CREATE TABLE boundary_layers (
    id            serial      PRIMARY KEY,
    name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    kind          text        NOT NULL CHECK (kind IN ('continent', 'urban', 'area')),
    source        text,
    feature_count integer     NOT NULL DEFAULT 0,
    part_count    integer     NOT NULL DEFAULT 0,
    -- The dissolved union of all features: the clip uses it whole, because one big
    -- polygon passed as a constant hits PostGIS's prepared-geometry cache (measured in
    -- docs/benchmarks.md); the crawler uses it as its area.
    outline       geometry(MultiPolygon, 4326),
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, name)
);
CREATE INDEX boundary_layers_outline_gist ON boundary_layers USING gist (outline);
COMMENT ON TABLE boundary_layers IS 'Named polygon layers: continents, urban areas, crawl areas (mlyetl boundaries).';

-- The layer's polygons as loaded (repaired, EPSG:4326), for display and area sums.
CREATE TABLE boundary_features (
    id         bigserial PRIMARY KEY,
    layer_id   integer   NOT NULL REFERENCES boundary_layers (id) ON DELETE CASCADE,
    name       text,
    properties jsonb     NOT NULL DEFAULT '{}',
    geom       geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX boundary_features_geom_gist ON boundary_features USING gist (geom);
CREATE INDEX boundary_features_layer ON boundary_features (layer_id);

-- The same polygons cut by ST_Subdivide into pieces of at most ~100 vertices: small
-- enough to stay inline (no TOAST fetch per test) and to make the GiST boxes tight,
-- which is what many urban polygons need (measured in docs/benchmarks.md).
CREATE TABLE boundary_parts (
    id         bigserial PRIMARY KEY,
    layer_id   integer   NOT NULL REFERENCES boundary_layers (id) ON DELETE CASCADE,
    feature_id bigint    NOT NULL REFERENCES boundary_features (id) ON DELETE CASCADE,
    geom       geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX boundary_parts_geom_gist ON boundary_parts USING gist (geom);
CREATE INDEX boundary_parts_layer ON boundary_parts (layer_id);
CREATE INDEX boundary_parts_feature ON boundary_parts (feature_id);
