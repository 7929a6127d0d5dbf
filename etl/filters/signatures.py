"""How a filter run tells which sequences changed since a result stored them: by their
change stamps (migrations/sql/0009: every statement writing images logs one stamp per
sequence it touched), or by signing every image row (count and XOR of a hash of id and
row version). Stamps cost a read of the small log instead of every image; image rows are
signed where the log cannot be trusted or does not say enough:
- on Citus (a distributed images table has no stamp triggers);
- while the triggers are off (a bulk load under way, or turned off by hand);
- with --exclude-result, whose kept images change the input without any image write.
A result's stored signatures are of one kind; when the kind changes, every sequence reads
as changed once and is recomputed. Writes made while the triggers were off are missing
from the log: a bulk load stamps every sequence when it ends, and a result that signed
image rows last time (so may have seen such writes) has every sequence stamped anew
before its first stamp-based run. Triggers turned off and on again by hand between two
runs cannot be noticed: docs/filters.md says to recompute then.
"""

from __future__ import annotations

import asyncpg

from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle
from etl.paths import sql_text

ROW_HASH_SQL = "hashint8extended(i.id, i.xmin::text::bigint)"
ROW_HASH_C = "mlyetl_row_hash(i.id, i.xmin)"  # the same value, from the extension


async def uses_stamps(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams) -> bool:
    """Can this run find changed sequences by their change stamps? When the result last
    signed image rows, every sequence is stamped anew first (the log may have missed
    writes made while the triggers were off), so the switch recomputes it once."""
    if handle.distributed or params.exclude_result is not None:
        return False
    if not await conn.fetchval(sql_text("filters/stamps_enabled.sql")):
        return False
    if await conn.fetchval(sql_text("filters/signatures_of_rows.sql").format(signatures=handle.signatures_table),
                           handle.name):
        await conn.execute(sql_text("crawl/stamp_all_sequences.sql"))
    return True


def current_signatures(stamps: bool, c_walk: bool, bucket_filter: str = "true") -> str:
    """A subquery of every input sequence (sequence_id) with its signature (signature) as
    the database holds it now. The stamps' form takes `bucket_filter`, a condition on
    sequence_id that narrows it to one bucket; the image rows' form reads $3 (the
    --exclude-result name or NULL)."""
    if stamps:
        return sql_text("filters/signatures_stamps.sql").format(bucket_filter=bucket_filter)
    return sql_text("filters/signatures_rows.sql").format(row_hash=ROW_HASH_C if c_walk else ROW_HASH_SQL)


def fresh_walk_parts(stamps: bool, buckets: str, bucket: str) -> dict[str, str]:
    """The parts of walk_fresh_c.sql that differ between the two kinds of signature: with
    stamps, the bucket's sequences of the change log are joined to the walked ones in the
    same statement (one snapshot: the signature stored is the one of the images walked);
    else each walked sequence's image rows are signed as they are read. `buckets` and
    `bucket` are the statement's parameters holding the bucket rule."""
    if not stamps:
        return {"image_signature": f"count(*)::text || ':' || bit_xor({ROW_HASH_C})::text",
                "sequence_col": "walked.sequence_id", "signature_col": "walked.signature", "changes_join": ""}
    changes = current_signatures(True, True, f"(hashtext(sequence_id) & 2147483647) % {buckets} = {bucket}")
    return {"image_signature": "NULL::text", "sequence_col": "coalesce(walked.sequence_id, c.sequence_id)",
            "signature_col": "c.signature", "changes_join": f"FULL JOIN ({changes}) c ON c.sequence_id = walked.sequence_id"}
