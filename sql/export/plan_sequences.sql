-- Every sequence of the plan with its shard and order, to hand to the writing connections.
SELECT shard, sequence_id, ord FROM export_plan ORDER BY ord
