-- $1 crawl id, $2 kinds, $3 keys, $4 depths, $5..$8 west, south, east, north (NULL for sequences).
-- New tasks (children of a split box or tile), kept only where they touch the area.
INSERT INTO crawl_tasks (crawl_id, kind, key, depth, geom, inside)
SELECT $1, u.kind, u.key, u.depth, g.box,
       g.box IS NOT NULL AND EXISTS (
           SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_CoveredBy(g.box, p.geom))
FROM unnest($2::text[], $3::text[], $4::smallint[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
         AS u(kind, key, depth, w, s, e, n)
CROSS JOIN LATERAL (SELECT CASE WHEN u.w IS NULL THEN NULL
                                ELSE ST_MakeEnvelope(u.w, u.s, u.e, u.n, 4326) END AS box) g
WHERE g.box IS NULL
   OR EXISTS (SELECT 1 FROM crawl_area_parts p WHERE p.crawl_id = $1 AND ST_Intersects(p.geom, g.box))
ON CONFLICT (crawl_id, kind, key) DO NOTHING;
