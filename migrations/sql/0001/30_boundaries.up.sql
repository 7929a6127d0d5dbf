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
    cell_count    integer     NOT NULL DEFAULT 0,
    -- The dissolved union of all features: the clip uses it whole, because one big
    -- polygon passed as a constant hits PostGIS's prepared-geometry cache (measured in
    -- docs/benchmarks.md); the crawler uses it as its area.
    outline       geometry(MultiPolygon, 4326),
    cell_size     double precision NOT NULL DEFAULT 0.25,  -- degrees; grid of boundary_parts
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

-- The same polygons cut by ST_Subdivide into pieces of at most ~128 vertices.
CREATE TABLE boundary_parts (
    id         bigserial PRIMARY KEY,
    layer_id   integer   NOT NULL REFERENCES boundary_layers (id) ON DELETE CASCADE,
    feature_id bigint    NOT NULL REFERENCES boundary_features (id) ON DELETE CASCADE,
    geom       geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX boundary_parts_geom_gist ON boundary_parts USING gist (geom);
CREATE INDEX boundary_parts_layer ON boundary_parts (layer_id);
CREATE INDEX boundary_parts_feature ON boundary_parts (feature_id);

-- The layer on a regular grid of cell_size degrees, for point-in-polygon at scale: one row
-- per cell the layer touches. A point finds its cell by a hash join on mlyetl_grid_cell
-- (no GiST probe); a covered cell decides at once, otherwise ST_Intersects tests the few
-- dozen vertices of the layer inside that cell. One row per cell means a LEFT JOIN gives
-- each point at most one match, so classification needs no DISTINCT or EXISTS subplan.
-- Measured against a GiST join on subdivided parts and against one big polygon with
-- PostGIS's prepared-geometry cache in docs/benchmarks.md.
CREATE TABLE boundary_cells (
    layer_id integer NOT NULL REFERENCES boundary_layers (id) ON DELETE CASCADE,
    cell     bigint  NOT NULL,                 -- mlyetl_grid_cell of the cell
    covered  boolean NOT NULL,                 -- the layer covers the whole cell
    geom     geometry(MultiPolygon, 4326),     -- the layer inside the cell; NULL when covered
    PRIMARY KEY (layer_id, cell)
);
CREATE INDEX boundary_cells_geom_gist ON boundary_cells USING gist (geom);

-- The grid cell of a point (x = lon, y = lat) for cells of `size` degrees (size >= 1/64,
-- so the key stays below 2^31: bigint's hash mixes only the XOR of its two halves, and a
-- key spread over both halves made the hash join collide badly).
CREATE FUNCTION mlyetl_grid_cell(x double precision, y double precision, size double precision)
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor((x + 180.0) / size)::bigint * 16384 + floor((y + 90.0) / size)::bigint
$$;
