-- $1 key, $2 method, $3 area (EWKB, MultiPolygon 4326), $4 settings (jsonb)
-- Returns the id only when this call created the crawl (the caller then seeds it
-- in the same transaction); a concurrent creator waits here for our commit.
INSERT INTO crawls (key, method, area, settings)
VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromEWKB($3), 4326)), $4::jsonb)
ON CONFLICT (key) DO NOTHING
RETURNING id;
