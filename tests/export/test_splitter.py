"""The COPY stream splitter: records cut by count, quoted newlines never split a record."""

from __future__ import annotations

import csv
import io

import pytest

from etl.export.splitter import OpenShard, ShardSplitter

ROWS = [
    ["1", "plain", "x"],
    ["2", 'a "quoted", field', "y"],
    ["3", "two\nlines", "z"],
    ["4", "", '""'],
    ["5", "ends with newline\n", "w"],
    ["6", "x", "y"],
]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 1000])
def test_records_go_to_their_shard_whatever_the_chunking(chunk_size: int) -> None:
    plan = [(0, 2), (1, 0), (2, 3), (3, 1)]
    files: dict[int, io.BytesIO] = {}
    closed: list[int] = []

    def open_shard(shard: int, expected: int) -> OpenShard:
        files[shard] = io.BytesIO()
        return OpenShard(shard, expected, files[shard])

    splitter = ShardSplitter(plan, open_shard, lambda s: closed.append(s.shard))
    data = _csv(ROWS)
    for start in range(0, len(data), chunk_size):
        splitter.feed(data[start:start + chunk_size])
    splitter.finish()
    assert closed == [0, 1, 2, 3]
    read = {k: list(csv.reader(io.StringIO(v.getvalue().decode()))) for k, v in files.items()}
    assert read == {0: ROWS[:2], 1: [], 2: ROWS[2:5], 3: ROWS[5:]}


def test_more_rows_than_the_plan_is_an_error() -> None:
    splitter = ShardSplitter([(0, 1)], lambda s, e: OpenShard(s, e, io.BytesIO()), lambda s: None)
    with pytest.raises(ValueError, match="more rows"):
        splitter.feed(_csv(ROWS[:2]))


def test_fewer_rows_than_the_plan_is_an_error() -> None:
    splitter = ShardSplitter([(0, 3)], lambda s, e: OpenShard(s, e, io.BytesIO()), lambda s: None)
    splitter.feed(_csv(ROWS[:2]))
    with pytest.raises(ValueError, match="ended before"):
        splitter.finish()
