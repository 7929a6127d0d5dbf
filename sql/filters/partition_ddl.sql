-- DDL naming result $2's partition table $1, quoted by the server (%I identifiers,
-- %L literals), so that no user-given name is ever pasted into SQL by Python.
SELECT format('CREATE TABLE %I (LIKE filter_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', $1::text) AS create_table,
       format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (result_name IS NOT NULL AND result_name = %L)',
              $1::text, $1::text || '_result', $2::text) AS add_check,
       format('ALTER TABLE filter_points ATTACH PARTITION %I FOR VALUES IN (%L)', $1::text, $2::text) AS attach,
       format('DROP TABLE IF EXISTS %I', $1::text) AS drop_table;
