-- Make the bulk-built unique index of partition {table} its primary key (instant), unless
-- a resumed run finds it done already.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '{table}'::regclass AND contype = 'p') THEN
        ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY USING INDEX {table}_pkey;
    END IF;
END
$$;
