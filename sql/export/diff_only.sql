-- `mlyetl results diff`: the rows of result $1 whose image is not kept in result $2, by
-- image id, with result $1's values (added: $1 = NEW, $2 = OLD; removed: the other way
-- round), in image id order. csv_columns.sql / arrow_columns.sql format them.
-- The other result's ids are a materialized CTE: on Citus, where results are sharded by
-- sequence, an image may sit in another shard in the other result (it changed sequence),
-- so the ids are gathered once and sent to every shard; one server reads them once.
    WITH other AS MATERIALIZED (
        SELECT image_id FROM filter_points WHERE result_name = $2
    )
    SELECT a.*
    FROM filter_points a
    WHERE a.result_name = $1
      AND NOT EXISTS (SELECT 1 FROM other b WHERE b.image_id = a.image_id)
    ORDER BY a.image_id
    OFFSET 0
