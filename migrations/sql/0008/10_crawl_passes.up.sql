-- Update passes: `mlyetl crawl AREA --update` crawls an area again as a new pass, a crawl
-- row of its own (its own tasks, leases and failures) pointing at the area's first crawl.
-- The counters say what the pass found; they are added to in the writers' transactions.
ALTER TABLE crawls
    ADD COLUMN base_id          bigint  REFERENCES crawls (id) ON DELETE CASCADE,  -- NULL: the first crawl
    ADD COLUMN pass             integer NOT NULL DEFAULT 0,  -- 0: the first crawl, 1, 2, ...: updates
    ADD COLUMN new_images       bigint  NOT NULL DEFAULT 0,
    ADD COLUMN changed_images   bigint  NOT NULL DEFAULT 0,
    ADD COLUMN unchanged_images bigint  NOT NULL DEFAULT 0,
    ADD COLUMN deleted_images   bigint  NOT NULL DEFAULT 0,
    ADD COLUMN restored_images  bigint  NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX crawls_base_pass ON crawls (base_id, pass) WHERE base_id IS NOT NULL;

-- A 'check' task of an update pass: stored images the pass did not see where they were, and
-- their sequences (parallel arrays), checked against the API (docs/crawler.md, "Updates").
ALTER TABLE crawl_tasks ADD COLUMN image_ids bigint[], ADD COLUMN sequence_ids text[];
ALTER TABLE crawl_tasks DROP CONSTRAINT crawl_tasks_kind_check;
ALTER TABLE crawl_tasks ADD CONSTRAINT crawl_tasks_kind_check CHECK (kind IN ('box', 'tile', 'sequence', 'check'));

-- Stored images that a finished box or tile of an update pass covered but did not list.
CREATE TABLE crawl_unseen (
    crawl_id bigint NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    task_id  bigint NOT NULL,
    image_id bigint NOT NULL,
    PRIMARY KEY (crawl_id, image_id, task_id)
);
COMMENT ON TABLE crawl_unseen IS 'Stored images an update pass did not see where they were: checked, then kept, updated or marked deleted.';
