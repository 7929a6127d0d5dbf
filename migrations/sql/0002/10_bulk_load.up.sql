-- A bulk load in progress: the first crawl into an empty images table drops the table's
-- indexes, COPYs rows straight in, then rebuilds them (osm2pgsql's import mode). Each
-- dropped index's definition waits here until it is rebuilt, so a killed load is
-- finished by rerunning the crawl and no index is ever lost.
CREATE TABLE images_bulk_indexes (
    name            text   PRIMARY KEY,          -- the index's name
    definition      text   NOT NULL,             -- pg_get_indexdef(): CREATE [UNIQUE] INDEX ...
    constraint_name text,                        -- the PRIMARY KEY / UNIQUE constraint it backs
    constraint_type "char" CHECK (constraint_type IN ('p', 'u')),
    crawl_id        bigint NOT NULL              -- the crawl doing the load (no FK: outlives it)
);
COMMENT ON TABLE images_bulk_indexes IS 'Indexes of images dropped for a bulk load, rebuilt when the load finishes.';
