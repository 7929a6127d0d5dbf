-- Every kept image of result $1 in class $2, by id (a stable order, so the same data gives
-- the same file); arrow_columns.sql picks the columns. Read through a cursor in chunks.
-- A result's rows carry every exported attribute: images is not read.
    SELECT * FROM filter_points
    WHERE result_name = $1 AND class = $2
    ORDER BY image_id
    OFFSET 0
