SELECT size, state, count(*) AS n, coalesce(sum(bytes), 0)::bigint AS bytes
FROM image_downloads GROUP BY size, state ORDER BY size, state;
