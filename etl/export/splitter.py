"""Cut one ordered COPY CSV stream into shard files by known row counts.

The stream is ordered by shard and the plan knows each shard's row count, so no shard
column is needed: count records and switch files at the boundary. Counting newlines is
a C-speed `bytes.count` for chunks without quotes; a chunk with quotes is walked line by
line, because a quoted field may hold a newline (a record ends only at a newline outside
quotes, i.e. after an even number of '"' since the record began; "" escapes count twice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO


@dataclass
class OpenShard:
    shard: int
    expected: int
    handle: BinaryIO
    written: int = 0
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def write(self, data: bytes) -> None:
        if data:
            self.handle.write(data)
            self.digest.update(data)
            self.size += len(data)


class ShardSplitter:
    """Feed COPY chunks; shards are opened and closed through the two callbacks."""

    def __init__(self, shards: list[tuple[int, int]], open_shard: Callable[[int, int], OpenShard],
                 close_shard: Callable[[OpenShard], None]) -> None:
        self._pending = list(reversed(shards))  # (shard, expected rows), popped in order
        self._open, self._close = open_shard, close_shard
        self._current: OpenShard | None = None
        self._in_quotes = False
        self._advance()

    def _advance(self) -> None:
        """Close the finished shard(s) and open the next one that still needs rows."""
        while self._current is None or self._current.written == self._current.expected:
            if self._current is not None:
                self._close(self._current)
                self._current = None
            if not self._pending:
                return
            self._current = self._open(*self._pending.pop())

    def feed(self, chunk: bytes) -> None:
        start = 0
        while start < len(chunk):
            if self._current is None:
                raise ValueError("the COPY stream has more rows than the plan")
            start = self._feed_some(chunk, start)

    def _feed_some(self, chunk: bytes, start: int) -> int:
        """Write records of the current shard from chunk[start:]; return where it stopped."""
        shard = self._current
        assert shard is not None
        end, found = self._scan(chunk, start, shard.expected - shard.written)
        shard.write(chunk[start:end])
        shard.written += found
        if shard.written == shard.expected:
            self._advance()
        return end

    def _scan(self, chunk: bytes, pos: int, needed: int) -> tuple[int, int]:
        """(end offset, records) for up to `needed` records from chunk[pos:].

        Jumps from quote to quote: newlines outside quotes are counted in bulk, those
        inside are skipped, so the work grows with the number of quotes, not of lines.
        """
        found = 0
        while True:
            quote = chunk.find(b'"', pos)
            if self._in_quotes:
                if quote < 0:
                    return len(chunk), found
                self._in_quotes, pos = False, quote + 1
                continue
            stop = len(chunk) if quote < 0 else quote
            lines = chunk.count(b"\n", pos, stop)
            if found + lines >= needed:
                return _nth_newline(chunk, pos, needed - found)[0], needed
            found += lines
            if quote < 0:
                return len(chunk), found
            self._in_quotes, pos = True, quote + 1

    def finish(self) -> None:
        if self._current is not None or self._pending:
            raise ValueError("the COPY stream ended before the plan's last row")


def _nth_newline(chunk: bytes, start: int, needed: int) -> tuple[int, int]:
    """(end offset, records) for up to `needed` complete lines from chunk[start:]."""
    total = chunk.count(b"\n", start)
    if total < needed:
        return len(chunk), total
    pos = start
    for _ in range(needed):
        pos = chunk.index(b"\n", pos) + 1
    return pos, needed
