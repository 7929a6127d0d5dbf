-- Curation, step 4, a stored result: the rows of its new dataset (curate_rows.sql)
-- in scratch table {kept}, for curate_update.sql.
CREATE UNLOGGED TABLE {kept} AS
{rows};
