-- mlyetl_spacing 1.1 -> 1.2: mlyetl_walk_sequence takes a sequence's rows in any order
-- (it sorts them itself) and is parallel (combine, serialize); 1.1 needed them sorted.
\echo Use "ALTER EXTENSION mlyetl_spacing UPDATE" to load this file. \quit

DROP AGGREGATE mlyetl_walk_sequence(timestamptz, bigint, double precision, double precision, boolean,
                                    double precision, double precision, boolean);
DROP FUNCTION mlyetl_walk_sequence_step(internal, timestamptz, bigint, double precision, double precision,
                                        boolean, double precision, double precision, boolean);
DROP FUNCTION mlyetl_walk_sequence_final(internal);

CREATE FUNCTION mlyetl_walk_sequence_step(internal, captured_at timestamptz, id bigint,
                                          lat double precision, lon double precision, urban boolean,
                                          spacing_urban double precision, spacing_other double precision,
                                          straight boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mlyetl_walk_sequence_final(internal)
RETURNS mlyetl_sequence_walk AS 'MODULE_PATHNAME', 'mlyetl_walk_sequence_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- One sequence's rows, in any order: its summary. The final function sorts the rows by
-- (captured_at, id) and walks them; each class walks on its own (path or straight rule
-- with its threshold); duplicates (same capture time and position as an earlier row) are
-- never kept, do not move the walk and are not in the line. Parallel: workers collect
-- partial states, which are serialized, combined and walked once.
CREATE AGGREGATE mlyetl_walk_sequence(captured_at timestamptz, id bigint,
                                      lat double precision, lon double precision, urban boolean,
                                      spacing_urban double precision, spacing_other double precision,
                                      straight boolean) (
    SFUNC = mlyetl_walk_sequence_step, STYPE = internal,
    COMBINEFUNC = mlyetl_walk_sequence_combine,
    SERIALFUNC = mlyetl_walk_sequence_serialize, DESERIALFUNC = mlyetl_walk_sequence_deserialize,
    FINALFUNC = mlyetl_walk_sequence_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE
);

-- hashint8extended(id, xmin::text::bigint) without the text conversions: the per-image
-- term of a sequence's signature (sql/filters/find_dirty.sql, walk_fresh_c.sql).
CREATE FUNCTION mlyetl_row_hash(id bigint, row_xmin xid)
RETURNS bigint AS 'MODULE_PATHNAME', 'mlyetl_row_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
