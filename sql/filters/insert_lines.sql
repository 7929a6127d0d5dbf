-- One line per sequence of this bucket for result $1: its de-duplicated clipped images
-- (both classes) in capture order, with counts. A one-image sequence has no line (NULL).
-- length_m is the line's length on PostGIS's sphere (informative only; spacing uses the
-- haversine steps).
INSERT INTO filter_sequence_lines (
    result_name, sequence_id, geom, image_count, urban_count, other_count, kept_count,
    kept_urban_count, kept_other_count, duplicate_count, length_m, first_captured_at, last_captured_at)
SELECT $1, w.sequence_id, s.line, s.n, s.urban, s.other, s.kept, s.kept_urban, s.kept_other, s.duplicates,
       coalesce(ST_Length(s.line::geography, false), 0), s.first_at, s.last_at
FROM (
    SELECT seq_no,
           CASE WHEN count(*) FILTER (WHERE duplicate_of IS NULL) >= 2
                THEN ST_SetSRID(ST_MakeLine(ST_MakePoint(lon, lat) ORDER BY captured_at, id)
                                FILTER (WHERE duplicate_of IS NULL), 4326) END AS line,
           count(*) FILTER (WHERE duplicate_of IS NULL) AS n,
           count(*) FILTER (WHERE duplicate_of IS NULL AND urban) AS urban,
           count(*) FILTER (WHERE duplicate_of IS NULL AND NOT urban) AS other,
           count(*) FILTER (WHERE kept) AS kept,
           count(*) FILTER (WHERE kept AND urban) AS kept_urban,
           count(*) FILTER (WHERE kept AND NOT urban) AS kept_other,
           count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS duplicates,
           min(captured_at) AS first_at, max(captured_at) AS last_at
    FROM filter_walked
    GROUP BY seq_no
) s
JOIN {work} w ON w.seq_no = s.seq_no;
