-- The rows of this connection's shards (the sequences in export_part; result $1,
-- class $2; a result's rows carry every exported attribute, so images is not read),
-- ordered by plan order (whole sequences, shard after shard), then capture time and id: the Python side cuts this one stream into files by the plan's row counts, so
-- PostgreSQL scans and sorts only once. The sort's leading key is ord (unique per
-- sequence, rising with the shard): a leading shard key (500 values) made almost every
-- comparison fall through to the later keys.
-- The sort keys are the first columns of the sorted rows (OFFSET 0 keeps this a separate
-- step under csv_columns.sql, which formats them): rows of one sequence tie on ord, and
-- reading the next key from the end of a wide row (after the text columns) is slower. The
-- rows are sorted raw and formatted after the sort: narrower tuples to sort.
    SELECT p.ord, fp.captured_at, fp.image_id, fp.sequence_id, fp.geom, fp.class, fp.compass_angle,
           fp.is_pano, fp.width, fp.height, fp.make, fp.model, fp.creator_username, fp.altitude, fp.cell_id
    FROM export_part p
    JOIN filter_points fp ON fp.result_name = $1 AND fp.sequence_id = p.sequence_id
    WHERE $2 = 'all' OR fp.class = $2
    ORDER BY 1, 2, 3
    OFFSET 0
