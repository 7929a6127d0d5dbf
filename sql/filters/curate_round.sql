-- Curation, step 3, one round of thinning (run until it decides nothing): of the undecided
-- candidates ({undecided}: those that had a pair), keep every one that has no undecided
-- candidate before it among its neighbours ({pairs} holds only pairs of undecided ones),
-- and drop every undecided one that has a neighbour kept in this round. This is the set
-- the sequential rule keeps (in priority order, keep an image when no kept image of its
-- class is closer than M): a kept candidate's earlier neighbours were all dropped before
-- it, by earlier kept ones. The decided leave {undecided} and {pairs}; the dropped go to
-- {dropped}. Returns how many were kept and dropped.
WITH kept AS (
    SELECT u.id FROM {undecided} u WHERE NOT EXISTS (SELECT 1 FROM {pairs} p WHERE p.b = u.id)
),
dropped AS (
    SELECT DISTINCT p.b AS id FROM {pairs} p JOIN kept k ON k.id = p.a
),
decided AS (
    SELECT id FROM kept UNION ALL SELECT id FROM dropped
),
remember AS (
    INSERT INTO {dropped} (id) SELECT id FROM dropped
),
leave AS (
    DELETE FROM {undecided} u USING decided d WHERE u.id = d.id
),
unpair AS (
    DELETE FROM {pairs} p
    WHERE p.a IN (SELECT id FROM decided) OR p.b IN (SELECT id FROM decided)
)
SELECT (SELECT count(*) FROM kept) AS kept, (SELECT count(*) FROM dropped) AS dropped;
