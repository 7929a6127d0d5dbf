"""What one task does: request, parse, and hand rows plus its end state to the writer.

- box (search method): one bbox search with every field. An answer of
  `split_at` or more (it may be cut), "reduce the amount of data" or a query
  that keeps timing out splits the box in four, down to `min_box`.
- tile (tiles method): below z14 a tile only prunes: empty -> 'empty', else its
  sub-tiles; a z14 tile lists its images (etl/crawl/tile_task.py).
- check (update passes): stored images a pass did not see where they were
  (etl/crawl/check_task.py).
Transient failures that outlived the client's retries, and answers of an
unexpected shape, end as 'retry' with the reason (the queue makes them pending
again until the task's attempts run out, then 'failed', shown by `status`):
one strange answer costs its task, never the run.
"""

from __future__ import annotations

import logging
from collections import Counter

import msgspec
from google.protobuf.message import Error as ProtobufError

from etl.crawl.check_task import CheckTask
from etl.crawl.model import Child, Finish, Task, WriteItem
from etl.crawl.settings import CrawlSettings, epoch_ms
from etl.crawl.tile_task import Outside, Put, Stored, TileTask
from etl.mapillary import discovery as D
from etl.mapillary import errors as E
from etl.mapillary.client import MapillaryClient
from etl.mapillary.fields import FieldSet
from etl.mapillary.parsing import BadAnswer, answer_rows, count_records, with_organizations
from etl.mapillary.tiles import TILESET, has_features

log = logging.getLogger(__name__)
RETRYABLE = (E.TransientError, E.BadRequest, BadAnswer)
# a parser meeting a shape it does not expect: that answer's task fails, not the run
UNEXPECTED = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, msgspec.MsgspecError,
              ProtobufError)


class TaskHandlers:
    def __init__(self, client: MapillaryClient, settings: CrawlSettings, stored: Stored | None = None,
                 outside: Outside | None = None) -> None:
        self.client, self.settings = client, settings
        self.fields = FieldSet()
        self.counters: Counter[str] = Counter()  # tile features without an id, unreadable values, ...
        self.filters = self._filters()
        since = epoch_ms(settings.since) if settings.since else None
        until = epoch_ms(settings.until) if settings.until else None
        self._tiles = TileTask(self.images, client, settings, since, until, self.counters, stored, outside)
        self._checks = CheckTask(self.images, self.one, self._rows, client, settings.ids_per_request, self.counters)

    def _filters(self) -> dict[str, str]:
        s, out = self.settings, {}
        if s.since:
            out["start_captured_at"] = s.since
        if s.until:
            out["end_captured_at"] = s.until
        if s.organization_id is not None:
            out["organization_id"] = str(s.organization_id)
        return out

    async def handle(self, task: Task, put: Put) -> None:
        try:
            if task.kind == "box":
                await self.box(task, put)
            elif task.kind == "tile":
                await self.tile(task, put)
            elif task.kind == "check":
                await self._checks.run(task, put)
            else:
                await put(WriteItem([], Finish(task.id, "failed", error=f"unknown task kind {task.kind}")))
        except RETRYABLE as error:
            await put(WriteItem([], Finish(task.id, "retry", error=str(error))))
        except UNEXPECTED as error:
            log.debug("%s %s: unexpected answer", task.kind, task.key, exc_info=True)
            self.counters["unexpected_answers"] += 1
            reason = f"unexpected answer ({type(error).__name__}: {str(error)[:200]})"
            await put(WriteItem([], Finish(task.id, "retry", error=reason)))

    async def images(self, endpoint: str, klass: str, params: dict[str, str], path: str = "/images") -> bytes:
        """An /images request for records: a rejected optional field is dropped and the request sent again."""
        while True:  # ends: each turn drops a field, or raises
            sent = self.fields.query
            try:
                return await self.client.graph(endpoint, klass, path, {**params, "fields": sent})
            except E.FieldRejected as error:
                try:
                    self.fields.reject(error.field, sent, error.detail)
                except ValueError:
                    raise error from None

    async def one(self, image_id: int) -> bytes:
        """One image's record (`/{id}`), every field."""
        return await self.images("entity", "entity", {}, f"/{image_id}")

    # --- search boxes ---------------------------------------------------------------

    async def box(self, task: Task, put: Put) -> None:
        box = D.parse_box_key(task.key)
        params = {"bbox": ",".join(repr(v) for v in box), "limit": "2000", **self.filters}
        try:
            body = await self.images("images_bbox", "search", params)
        except E.ReduceData:
            return await put(WriteItem([], self._split(task, box, "the API asked to reduce the data")))
        except E.QueryTimeout:
            return await put(WriteItem([], self._split(task, box, "the query kept timing out")))
        found = count_records(body)
        if found >= self.settings.split_at:
            finish = self._split(task, box, f"{found} results, the answer may be cut")
            # a box that cannot be split further still keeps what it got; others are not even parsed
            rows, skipped = self._rows(body) if finish.state == "failed" else ([], 0)
            return await put(WriteItem(rows, finish, skipped, not task.inside))
        rows, skipped = self._rows(body)
        seen = [r[0] for r in rows]
        if not rows and not skipped:
            return await put(WriteItem([], Finish(task.id, "empty", seen=seen)))
        # a record skipped for a missing field might be a stored image: then the answer does not say what is gone
        finish = Finish(task.id, "done", len(rows), seen=None if skipped else seen)
        await put(WriteItem(rows, finish, skipped, not task.inside))

    def _rows(self, body: bytes) -> tuple[list[tuple], int]:
        rows, skipped = answer_rows(body)
        if self.settings.organization_id is not None:  # the API filtered on it: every image is the organisation's
            rows = with_organizations(rows, self.settings.organization_id)
        return rows, skipped

    def _split(self, task: Task, box: D.BBox, why: str) -> Finish:
        if D.box_side(box) / 2 < self.settings.min_box:
            return Finish(task.id, "failed", error=f"{why} at the minimum box size ({self.settings.min_box:g} deg); "
                          "crawl this spot with --method tiles")
        children = [Child("box", D.box_key(b), task.depth + 1, b) for b in D.split_box(box)]
        return Finish(task.id, "split", error=why, children=children)

    # --- tiles ----------------------------------------------------------------------

    async def tile(self, task: Task, put: Put) -> None:
        z, x, y = D.parse_tile_key(task.key)
        body = await self.client.tile(TILESET, z, x, y)
        if z < D.TILE_ZOOM:
            if not has_features(body):  # nothing here: stored images of this footprint are checked (updates)
                return await put(WriteItem([], Finish(task.id, "empty", seen=[])))
            children = [Child("tile", D.tile_key(*t), task.depth + 1, D.tile_bounds(*t)) for t in D.sub_tiles(z, x, y)]
            return await put(WriteItem([], Finish(task.id, "split", children=children)))
        await self._tiles.z14(task, body, put)
