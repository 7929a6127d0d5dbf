-- The change log's signature of every sequence (signatures_stamps.sql over the whole log,
-- placed below) into {changes}, each with its bucket of $1 (the bucket rule of
-- find_dirty.sql). Run in the snapshot the stage's connections read images in, so that each
-- sequence's stored signature is the one of the images walked.
INSERT INTO {changes} (bucket, sequence_id, signature)
SELECT (hashtext(c.sequence_id) & 2147483647) % $1::integer, c.sequence_id, c.signature
FROM ({current}) c
