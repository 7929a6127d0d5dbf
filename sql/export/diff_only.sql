-- `mlyetl results diff`: the rows of result $1 whose image is not kept in result $2, by
-- image id, with result $1's values (added: $1 = NEW, $2 = OLD; removed: the other way
-- round), in image id order. csv_columns.sql / arrow_columns.sql format them.
    SELECT a.*
    FROM filter_points a
    WHERE a.result_name = $1
      AND NOT EXISTS (SELECT 1 FROM filter_points b WHERE b.result_name = $2 AND b.image_id = a.image_id)
    ORDER BY a.image_id
    OFFSET 0
