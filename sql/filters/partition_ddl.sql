-- DDL naming table $1, result $2's partition of parent table $3 (filter_points,
-- filter_sequence_lines or filter_sequences), quoted by the server (%I identifiers, %L
-- literals), so that no user-given name is ever pasted into SQL by Python.
-- toast_tuple_target: a row is kept whole in its page up to ~8 kB (sequence lines are
-- mostly 1-3 kB), so writing or reading a line needs no compression or TOAST table: lines
-- were written ~1.5x faster.
SELECT format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMPRESSION) '
              'WITH (toast_tuple_target = 8160)', $1::text, $3::text) AS create_table,
       format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (result_name IS NOT NULL AND result_name = %L)',
              $1::text, $1::text || '_result', $2::text) AS add_check,
       format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', $3::text, $1::text, $2::text) AS attach,
       format('DROP TABLE IF EXISTS %I', $1::text) AS drop_table;
