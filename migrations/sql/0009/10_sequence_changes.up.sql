-- Sequence change stamps. Every statement that inserts, updates or deletes rows of
-- `images` (the crawler's, or anyone's ad-hoc SQL) appends one row per sequence it touched
-- to sequence_changes, all with one new stamp: statement-level AFTER triggers with
-- transition tables, so a statement pays once, not once per row. An update that moves an
-- image stamps its old and its new sequence. The log is append-only (no row is updated,
-- so writers never wait for each other here), and a sequence's change signature is
-- count(*) and bit_xor(stamp) of its rows: any committed write changes it, whatever order
-- writers commit in. The filter compares it with the signature it stored for the sequence
-- (sql/filters/signatures_stamps.sql) instead of hashing every image row.
-- A bulk load (etl/crawl/bulk.py) turns the triggers off while it copies rows in and adds
-- one stamp per sequence when it ends; the filter only trusts the log while all four
-- triggers are on (sql/filters/stamps_enabled.sql). On Citus the triggers are not created
-- (a distributed table takes none by default); the filter signs image rows there.
CREATE SEQUENCE sequence_change_stamps;

CREATE TABLE sequence_changes (
    sequence_id text   NOT NULL,
    stamp       bigint NOT NULL
);
COMMENT ON TABLE sequence_changes IS
    'Append-only log: one row per sequence and statement that wrote its images (for the filter''s change detection).';

CREATE FUNCTION mlyetl_stamp_sequences() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stamp bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- no image left: the log goes too, so every stored sequence reads as vanished
        TRUNCATE sequence_changes;
        RETURN NULL;
    END IF;
    stamp := nextval('sequence_change_stamps');
    IF TG_OP = 'INSERT' THEN
        INSERT INTO sequence_changes (sequence_id, stamp)
        SELECT DISTINCT sequence_id, stamp FROM new_images;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO sequence_changes (sequence_id, stamp)
        SELECT sequence_id, stamp FROM new_images UNION SELECT sequence_id, stamp FROM old_images;
    ELSE
        INSERT INTO sequence_changes (sequence_id, stamp)
        SELECT DISTINCT sequence_id, stamp FROM old_images;
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    distributed boolean := false;
BEGIN
    -- a Citus distributed images table takes no triggers (see above); the catalog is only
    -- there with the citus extension, so it is read by name
    IF to_regclass('pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ''images''::regclass)'
            INTO distributed;
    END IF;
    IF distributed THEN
        RETURN;
    END IF;
    CREATE TRIGGER images_stamp_insert AFTER INSERT ON images REFERENCING NEW TABLE AS new_images
        FOR EACH STATEMENT EXECUTE FUNCTION mlyetl_stamp_sequences();
    CREATE TRIGGER images_stamp_update AFTER UPDATE ON images REFERENCING OLD TABLE AS old_images NEW TABLE AS new_images
        FOR EACH STATEMENT EXECUTE FUNCTION mlyetl_stamp_sequences();
    CREATE TRIGGER images_stamp_delete AFTER DELETE ON images REFERENCING OLD TABLE AS old_images
        FOR EACH STATEMENT EXECUTE FUNCTION mlyetl_stamp_sequences();
    CREATE TRIGGER images_stamp_truncate AFTER TRUNCATE ON images
        FOR EACH STATEMENT EXECUTE FUNCTION mlyetl_stamp_sequences();
    -- the images stored so far: one stamp for all their sequences
    INSERT INTO sequence_changes (sequence_id, stamp)
    SELECT DISTINCT sequence_id, s.stamp FROM images, (SELECT nextval('sequence_change_stamps') AS stamp) s;
END
$$;
