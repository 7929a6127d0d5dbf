"""Sequence change stamps (migrations/sql/0009): every write of images, by the crawler or
by hand, stamps the sequences it touched, and the filter finds changed sequences from the
stamps; without them (triggers off) it signs image rows, with the same result."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.filters.helpers import LAT_DEG_PER_M, fetch, filter_square, insert_images, kept_ids, points, \
    setup_square_world


def _stamps(dsn: str) -> dict[str, list[int]]:
    rows = asyncio.run(fetch(dsn, "SELECT sequence_id, stamp FROM sequence_changes ORDER BY stamp, sequence_id"))
    out: dict[str, list[int]] = {}
    for r in rows:
        out.setdefault(r["sequence_id"], []).append(r["stamp"])
    return out


def _seq(seq: str, first_id: int, n: int, lon: float) -> list:
    return [(first_id + k, seq, k, lon, 0.1 + k * 30.0 * LAT_DEG_PER_M) for k in range(n)]


def test_every_write_of_images_stamps_the_sequences_it_touched(db_dsn: str) -> None:
    asyncio.run(insert_images(db_dsn, _seq("a", 1, 3, 0.2) + _seq("b", 10, 2, 0.3)))
    before = _stamps(db_dsn)
    assert set(before) == {"a", "b"}  # one statement per image row here (executemany)
    # a statement that writes nothing stamps nothing
    asyncio.run(fetch(db_dsn, "UPDATE images SET altitude = 1 WHERE id = 999"))
    asyncio.run(fetch(db_dsn, "DELETE FROM images WHERE id = 999"))
    assert _stamps(db_dsn) == before
    # moving an image to another sequence stamps both, with one stamp
    asyncio.run(fetch(db_dsn, "UPDATE images SET sequence_id = 'c' WHERE id = 2"))
    after = _stamps(db_dsn)
    assert after["a"][:-1] == before["a"] and after["b"] == before["b"]
    assert after["a"][-1] == after["c"][0] > max(before["a"] + before["b"])
    # marking deleted and deleting stamp too; a TRUNCATE empties the log
    asyncio.run(fetch(db_dsn, "UPDATE images SET deleted_at = now() WHERE id = 10"))
    asyncio.run(fetch(db_dsn, "DELETE FROM images WHERE id = 11"))
    assert len(_stamps(db_dsn)["b"]) == len(before["b"]) + 2
    asyncio.run(fetch(db_dsn, "TRUNCATE images CASCADE"))
    assert _stamps(db_dsn) == {}


def _world(dsn: str, tmp_path: Path, prefix: str = "s", sequences: int = 8, images: int = 20) -> None:
    """`sequences` sequences of `images` images each, every other one in town."""
    setup_square_world(dsn, tmp_path)
    rows = []
    for s in range(sequences):
        rows += _seq(f"{prefix}{s:02d}", s * 100, images, 0.2 if s % 2 else 0.55)
    asyncio.run(insert_images(dsn, rows))


def _change(dsn: str) -> None:
    """Hand-written SQL: a move within s01, a deletion in s02, a new sequence."""
    asyncio.run(fetch(dsn, "UPDATE images SET geom = ST_SetSRID(ST_MakePoint(0.21, ST_Y(geom)), 4326) WHERE id = 105"))
    asyncio.run(fetch(dsn, "DELETE FROM images WHERE id = 203"))
    asyncio.run(insert_images(dsn, _seq("s99", 9900, 4, 0.3)))


def _triggers(dsn: str, action: str) -> None:
    for name in ("insert", "update", "delete", "truncate"):
        asyncio.run(fetch(dsn, f"ALTER TABLE images {action} TRIGGER images_stamp_{name}"))


def test_a_rerun_recomputes_exactly_the_stamped_sequences(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    first = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert (first.counts["change_detection"], first.counts["recomputed_sequences"]) == ("stamps", 8)
    assert filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0).counts["recomputed_sequences"] == 0
    _change(db_dsn)
    again = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert (again.counts["change_detection"], again.counts["recomputed_sequences"]) == ("stamps", 3)
    assert filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0).counts["recomputed_sequences"] == 0
    filter_square(db_dsn, name="fresh", spacing_urban=100.0, spacing_other=100.0)
    assert kept_ids(db_dsn, "r1") == kept_ids(db_dsn, "fresh")
    assert {i: (r["class"], r["kept"]) for i, r in points(db_dsn, "r1").items()} == \
        {i: (r["class"], r["kept"]) for i, r in points(db_dsn, "fresh").items()}


def test_without_stamps_image_rows_are_signed_and_a_switch_recomputes_once(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    _triggers(db_dsn, "DISABLE")  # as during a bulk load: the log misses the writes below
    _change(db_dsn)
    rows = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    # the stored signatures are of the other kind: every sequence reads as changed, once
    assert (rows.counts["change_detection"], rows.counts["recomputed_sequences"]) == ("rows", 9)
    assert filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0).counts["recomputed_sequences"] == 0
    asyncio.run(fetch(db_dsn, "DELETE FROM images WHERE id = 1"))  # s00 changes
    assert filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0).counts["recomputed_sequences"] == 1
    _triggers(db_dsn, "ENABLE")
    back = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert (back.counts["change_detection"], back.counts["recomputed_sequences"]) == ("stamps", 9)
    filter_square(db_dsn, name="fresh", spacing_urban=100.0, spacing_other=100.0)
    assert kept_ids(db_dsn, "r1") == kept_ids(db_dsn, "fresh")


def test_a_few_changed_sequences_are_read_by_index_with_the_same_result(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path, prefix="t", sequences=30, images=12)
    filter_square(db_dsn, spacing_urban=60.0, spacing_other=60.0)
    asyncio.run(insert_images(db_dsn, _seq("s99", 9900, 4, 0.3)))
    asyncio.run(fetch(db_dsn, "UPDATE images SET geom = ST_SetSRID(ST_MakePoint(0.56, ST_Y(geom)), 4326) "
                              "WHERE id IN (1203, 1207)"))  # t12 moves into town in part
    again = filter_square(db_dsn, spacing_urban=60.0, spacing_other=60.0)
    assert (again.counts["recomputed_sequences"], again.counts["walk_by_index"]) == (2, True)
    filter_square(db_dsn, name="fresh", spacing_urban=60.0, spacing_other=60.0)
    assert {i: (r["class"], r["kept"]) for i, r in points(db_dsn, "r1").items()} == \
        {i: (r["class"], r["kept"]) for i, r in points(db_dsn, "fresh").items()}
    assert kept_ids(db_dsn, "r1") == kept_ids(db_dsn, "fresh")
