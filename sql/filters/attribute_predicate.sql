-- The attribute filters of a result (docs/filters.md, "Curation") as SQL conditions on an
-- image row `i` (a row of images, or a subquery of it with the same column names), built
-- and quoted by the server (%L), so that no user-given value is pasted into SQL by Python.
-- An image that fails them takes no part in spacing. Two columns:
-- `attributes`: all of them as one condition, placed into staged_images.sql as
-- {attributes}; 'true' when no filter is set.
-- `other_filters`: all but --daylight (the cheap ones), for walk_fresh_c.sql, which tests
-- daylight itself on the images that pass them (with their lon/lat computed once); 'true'
-- when none is set. `daylight`: whether --daylight is on.
-- $1 captured at or after (NULL: any), $2 captured before, $3 pano: include | exclude |
-- only (an unknown is_pano is no panorama), $4 allowed camera types (NULL: any; an unknown
-- type fails), $5 minimum quality_score (an unknown score fails), $6 daylight.
WITH f AS (
    SELECT concat_ws(' AND ',
        CASE WHEN $1::timestamptz IS NOT NULL THEN format('i.captured_at >= %L::timestamptz', $1::timestamptz) END,
        CASE WHEN $2::timestamptz IS NOT NULL THEN format('i.captured_at < %L::timestamptz', $2::timestamptz) END,
        CASE $3::text WHEN 'exclude' THEN 'NOT coalesce(i.is_pano, false)' WHEN 'only' THEN 'coalesce(i.is_pano, false)' END,
        CASE WHEN $4::text[] IS NOT NULL THEN format('i.camera_type = ANY (%L::text[])', $4::text[]) END,
        CASE WHEN $5::float8 IS NOT NULL THEN format('i.quality_score >= %L::float8', $5::float8) END) AS other
)
SELECT coalesce(nullif(concat_ws(' AND ', nullif(f.other, ''),
                                 CASE WHEN $6::boolean THEN 'mlyetl_daylight(i.captured_at, ST_X(i.geom), ST_Y(i.geom))' END),
                       ''), 'true') AS attributes,
       coalesce(nullif(f.other, ''), 'true') AS other_filters,
       coalesce($6::boolean, false) AS daylight
FROM f
