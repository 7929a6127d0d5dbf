-- $1 crawl id, $2 image ids, $3 / $4 their positions as a tile gives them (lon, lat), $5 a
-- margin in degrees (a tile rounds positions to its pixels): the ids whose point lies outside
-- the crawl's area by more than the margin. An update pass leaves them out when it compares a
-- border tile with what is stored (they are never stored: the border rule).
SELECT u.id
FROM unnest($2::bigint[], $3::float8[], $4::float8[]) AS u(id, lon, lat)
WHERE NOT EXISTS (
    SELECT 1 FROM crawl_area_parts p
    WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, ST_Expand(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), $5)));
