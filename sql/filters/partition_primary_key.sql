-- Make the bulk-built unique index the partition's primary key (instant), unless a resumed
-- run finds it done already.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '{points}'::regclass AND contype = 'p') THEN
        ALTER TABLE {points} ADD CONSTRAINT {points}_pkey PRIMARY KEY USING INDEX {points}_pkey;
    END IF;
END
$$;
