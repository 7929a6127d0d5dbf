"""Rendered JSON kept per cell, so an /images answer is a join of cached bytes.

A crawl asks for the same images several times (a full box whose answer is
thrown away, then its quarters), and rendering was most of the simulator's CPU.
The first request that touches a cell with a given field set renders ALL the
cell's images once (etl/simulator/fastjson.py, the same code as before) into one
blob, records joined by commas, plus each record's start and end offset. An
answer then copies one slice per run of consecutive image indices (images of a
sequence are consecutive in a cell, so a box answer has few runs).

The bytes are exactly what `render_rows` gives for any subset: every value is
formatted element by element, never depending on its neighbours (tests compare).
Answers with thumbnail URLs are never cached (the URLs are signed per request
origin and expire). A cell regenerated after eviction is bit-for-bit the same,
so entries are keyed by cell number, not by the CellData object. The memory is
bounded by a byte budget (least recently used entries go first).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from etl.simulator.cells import CellData
from etl.simulator.fastjson import render_rows
from etl.simulator.records import THUMB_SIZES, RenderContext

Entry = tuple[bytes, np.ndarray, np.ndarray]  # blob, record starts, record ends


class JsonCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self._entries: OrderedDict[tuple[int, tuple[str, ...]], Entry] = OrderedDict()

    @staticmethod
    def cacheable(fields: Sequence[str]) -> bool:
        return not any(f in THUMB_SIZES for f in fields)

    def records(self, ctx: RenderContext, data: CellData, idx: np.ndarray, fields: tuple[str, ...]) -> list[bytes]:
        """The JSON objects of `data`'s images at `idx`, comma-joined per run of consecutive indices."""
        blob, starts, ends = self._entry(ctx, data, fields)
        cut = np.flatnonzero(np.diff(idx) != 1) + 1
        first = idx[np.concatenate(([0], cut))]
        last = idx[np.concatenate((cut - 1, [idx.size - 1]))]
        return [blob[a:b] for a, b in zip(starts[first].tolist(), ends[last].tolist())]

    def _entry(self, ctx: RenderContext, data: CellData, fields: tuple[str, ...]) -> Entry:
        key = (data.cell, fields)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        rows = render_rows(ctx, data, np.arange(data.size), fields)
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        starts = np.cumsum(lengths + 1) - (lengths + 1)  # +1: the comma after each record
        entry = (b",".join(rows), starts, starts + lengths)
        self._entries[key] = entry
        self.used += len(entry[0])
        while self.used > self.budget and len(self._entries) > 1:
            _, (old, _, _) = self._entries.popitem(last=False)
            self.used -= len(old)
        return entry
