-- Fill export_part from the plan's arrays ($1 = sequence ids, $2 = their ord).
INSERT INTO export_part (sequence_id, ord)
SELECT * FROM unnest($1::text[], $2::bigint[])
