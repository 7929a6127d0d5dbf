-- The PL/pgSQL fallback's walk: the per-image walk (walk_path.sql or
-- walk_straight.sql, over staged_images.sql) summed up per sequence into the walk table, with the
-- same columns and values as walk_c.sql: the line of the originals in capture order (NULL
-- under two), the counts, the first and last capture time, the line's length (haversine
-- steps), the kept images in capture order with their class and position.
CREATE UNLOGGED TABLE {walk} WITH (toast_tuple_target = 8160) AS  -- rows whole in their page (see walk_fresh_table.sql)
SELECT seq_no,
       CASE WHEN count(*) FILTER (WHERE duplicate_of IS NULL) >= 2
            THEN ST_AsEWKB(ST_SetSRID(ST_MakeLine(ST_MakePoint(lon, lat) ORDER BY captured_at, id)
                                      FILTER (WHERE duplicate_of IS NULL), 4326)) END AS line,
       (count(*) FILTER (WHERE duplicate_of IS NULL))::integer AS image_count,
       (count(*) FILTER (WHERE duplicate_of IS NULL AND urban))::integer AS urban_count,
       (count(*) FILTER (WHERE duplicate_of IS NULL AND NOT urban))::integer AS other_count,
       (count(*) FILTER (WHERE duplicate_of IS NOT NULL))::integer AS duplicate_count,
       (count(*) FILTER (WHERE kept))::integer AS kept_count,
       (count(*) FILTER (WHERE kept AND urban))::integer AS kept_urban_count,
       (count(*) FILTER (WHERE kept AND NOT urban))::integer AS kept_other_count,
       min(captured_at) AS first_captured_at,
       max(captured_at) AS last_captured_at,
       coalesce(sum(line_step ORDER BY captured_at, id), 0) AS length_m,
       array_agg(id ORDER BY captured_at, id) FILTER (WHERE kept) AS kept_ids,
       array_agg(urban ORDER BY captured_at, id) FILTER (WHERE kept) AS kept_urban,
       array_agg(lon ORDER BY captured_at, id) FILTER (WHERE kept) AS kept_lon,
       array_agg(lat ORDER BY captured_at, id) FILTER (WHERE kept) AS kept_lat
FROM (
    -- the haversine step from the previous original of the sequence (summed in capture
    -- order below: the same doubles as the C aggregate's running sum)
    -- (mlyetl_haversine_m is not strict, and least() skips NULLs: no step for the first)
    SELECT *, CASE WHEN duplicate_of IS NULL AND lag(lat) OVER o IS NOT NULL
                   THEN mlyetl_haversine_m(lag(lat) OVER o, lag(lon) OVER o, lat, lon) END AS line_step
    FROM ({walked}) walked
    WINDOW o AS (PARTITION BY seq_no, duplicate_of IS NULL ORDER BY captured_at, id)
) stepped
GROUP BY seq_no
