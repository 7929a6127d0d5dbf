-- A result's staged first computation (etl/filters/staged_walk.py), bucket $5 of $4: its
-- staged images (stage_share.sql) grouped by sequence and walked by the C aggregate
-- mlyetl_walk_sequence ($1 urban and $2 other spacing, $3 straight mode), joined with the
-- bucket's sequences of the change log ({changes}, with their signatures) so that a
-- sequence with no staged image (none passes, or none lies in the continent) gets its walk
-- row too, with NULL counts. Numbered like walk_fresh_c.sql's rows: equal to $5 modulo $4.
INSERT INTO {walk}
SELECT (row_number() OVER () * $4::integer + $5::integer)::integer AS seq_no,
       coalesce(walked.sequence_id, c.sequence_id), c.signature, (walked.s).*
FROM (
    SELECT s.sequence_id,
           mlyetl_walk_sequence(s.captured_at, s.id, s.lat, s.lon, s.urban, $1::float8, $2::float8, $3::boolean) AS s
    FROM {stage} s
    WHERE s.bucket = $5::integer
    GROUP BY s.sequence_id
) walked
FULL JOIN (SELECT sequence_id, signature FROM {changes} WHERE bucket = $5::integer) c
       ON c.sequence_id = walked.sequence_id
