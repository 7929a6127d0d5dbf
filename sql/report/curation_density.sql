-- Kept images per cell of a curated result's equal-area grid (--cell-size; see the filter's
-- curation), before curation (what spacing kept: filter_candidates) and after it
-- (filter_points, with their cell_id): the number of cells per count of images.
-- $1 result name, $2 cell size (metres)
SELECT 'before curation' AS stage, n, count(*) AS cells
FROM (SELECT count(*) AS n FROM filter_candidates WHERE result_name = $1
      GROUP BY mlyetl_cell_id(ST_X(geom), ST_Y(geom), $2)) s
GROUP BY n
UNION ALL
SELECT 'after curation', n, count(*)
FROM (SELECT count(*) AS n FROM filter_points WHERE result_name = $1 GROUP BY cell_id) s
GROUP BY n;
