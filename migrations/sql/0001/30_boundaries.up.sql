-- Named polygon layers (continents, urban areas, crawl areas).
CREATE TABLE boundary_layers (
    id            serial      PRIMARY KEY,
    name          text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('continent', 'urban', 'area')),
    source        text,
    feature_count integer     NOT NULL DEFAULT 0,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, name)
);

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

-- The same polygons cut into small pieces (ST_Subdivide) for fast point-in-polygon.
CREATE TABLE boundary_parts (
    id         bigserial PRIMARY KEY,
    layer_id   integer   NOT NULL REFERENCES boundary_layers (id) ON DELETE CASCADE,
    feature_id bigint    NOT NULL REFERENCES boundary_features (id) ON DELETE CASCADE,
    geom       geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX boundary_parts_geom_gist ON boundary_parts USING gist (geom);
CREATE INDEX boundary_parts_layer ON boundary_parts (layer_id);
