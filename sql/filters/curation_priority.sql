-- The priority orders of curation (--priority), one ORDER BY per line over a candidate `c`
-- (a row of filter_candidates). Ties: the id. quality: an unknown score comes last.
-- random: the first 64 bits of md5('<seed>:<id>') as a signed integer ($2: the seed), the
-- same as etl/filters/curation_reference.py's random_key.
newest: c.captured_at DESC, c.image_id
oldest: c.captured_at, c.image_id
quality: (SELECT i.quality_score FROM images i WHERE i.id = c.image_id) DESC NULLS LAST, c.captured_at DESC, c.image_id
random: ('x' || substr(md5($2::bigint::text || ':' || c.image_id::text), 1, 16))::bit(64)::bigint, c.image_id
