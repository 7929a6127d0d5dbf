-- A result's first computation (no signatures stored yet), with the C aggregate, for the
-- sequences of bucket $10 of $9 (the bucket rule of find_dirty.sql): one pass over images
-- finds each sequence, its signature (as find_dirty.sql computes it) and its walk (as
-- walk_c.sql computes it), so the images are read once instead of twice. The signature
-- (etl/filters/signatures.py, fresh_walk_parts) is either that of each image row, signed
-- as it is read, or that of the sequence's change stamps, from the change log joined in
-- the same statement: then a sequence of the log without a live image gets a walk row too. The buckets run side by
-- side, one connection each, each with a serial plan: every connection reads all images
-- but clips, classifies and walks only its own sequences, so no partial aggregates cross
-- processes and every walk runs in parallel (a parallel plan walks every sequence in its
-- leader, serially). Every live input image counts in the signature; only those inside the
-- continent (layer $1) are walked, classified with the urban layer ($2): the joins are the
-- LEFT JOIN form of staged_images.sql (cell sizes $3, $4; the boundary counts as inside).
-- $5: the --exclude-result name or NULL; $6 urban and $7 other spacing, $8 straight mode.
-- The attribute filters (attribute_predicate.sql) act once per image before the joins: an
-- image that fails them gets no lon (so no grid cell: the joins pass it by at once); it
-- counts in the signature but is not walked. {other_filters}, the cheap ones, come first;
-- only an image that passes them gets its lon/lat (and, with --daylight, {daylight} =
-- true, the epoch of its capture time), each computed once, and then the daylight test:
-- mlyetl_daylight's own formula (mlyetl_sun_sine(epoch, lon, lat) > 0) on those columns,
-- with the extension's mlyetl_sun_sine_c, the same float8 bit for bit as the SQL
-- mlyetl_sun_sine that the incremental walk's attribute_predicate.sql uses, for a fraction
-- of its cost. Written as mlyetl_daylight(captured_at, ST_X(geom), ST_Y(geom)), the inlined
-- formula decoded the point three times and converted the time four times per image. Without
-- filters each condition is 'true' and the levels fold away (the plan of no filters).
-- The walk table (walk_fresh_table.sql) gets one row per input sequence, numbered apart
-- from the other buckets' rows (equal to $10 modulo $9); `s` is NULL for a sequence with no
-- image inside. The bucket's work rows are then copied from them (work_from_walk.sql).
INSERT INTO {walk}
SELECT (row_number() OVER () * $9 + $10)::integer AS seq_no, {sequence_col}, {signature_col}, (walked.s).*
FROM (
    SELECT i.sequence_id,
           {image_signature} AS signature,
           mlyetl_walk_sequence(i.captured_at, i.id, i.lat, i.lon,
                                coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false),
                                $6::float8, $7::float8, $8::boolean) FILTER (WHERE c.cell IS NOT NULL) AS s
    FROM (
        -- lon/lat once per image (OFFSET 0 keeps each level whole): written into the joins,
        -- each coordinate was computed five times, in both grid keys and each join's
        -- recheck of its key. Not in staged_images.sql: such a subquery rules out the
        -- incremental walk's parallel plan.
        SELECT i.id, i.xmin, i.sequence_id, i.captured_at, i.geom,
               CASE WHEN NOT {daylight} OR mlyetl_sun_sine_c(i.epoch, i.lon, i.lat) > 0.0::float8 THEN i.lon END AS lon,
               i.lat
        FROM (
            SELECT i.id, i.xmin, i.sequence_id, i.captured_at, i.geom, ST_X(i.passed) AS lon, ST_Y(i.passed) AS lat,
                   CASE WHEN i.passed IS NOT NULL THEN date_part('epoch', i.captured_at) END AS epoch
            FROM (
                SELECT i.id, i.xmin, i.sequence_id, i.captured_at, i.geom,
                       CASE WHEN {other_filters} THEN i.geom END AS passed
                FROM images i
                WHERE i.deleted_at IS NULL
                  AND (hashtext(i.sequence_id) & 2147483647) % $9::integer = $10::integer
                {fence}  -- OFFSET 0; left out on Citus, where it would pull the rows to the coordinator
            ) i
            {fence}
        ) i
        {fence}
    ) i
    LEFT JOIN boundary_cells c ON c.layer_id = $1 AND c.cell = mlyetl_grid_cell(i.lon, i.lat, $3)
                              AND (c.covered OR ST_Intersects(c.geom, i.geom))
    LEFT JOIN boundary_cells u ON u.layer_id = $2 AND u.cell = mlyetl_grid_cell(i.lon, i.lat, $4)
                              AND c.cell IS NOT NULL
    WHERE $5::text IS NULL OR NOT EXISTS (
            SELECT 1 FROM filter_points e WHERE e.result_name = $5 AND e.image_id = i.id
                AND e.sequence_id = i.sequence_id)
    GROUP BY i.sequence_id
) walked
{changes_join}
