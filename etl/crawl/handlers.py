"""What one task does: request, parse, and hand rows plus its end state to the writer.

- box (search method): one bbox search with every field. An answer of
  `split_at` or more (it may be cut), "reduce the amount of data" or a query
  that keeps timing out splits the box in four, down to `min_box`.
- tile (tiles method): below z14 a tile only prunes: empty -> 'empty', else its
  sub-tiles; a z14 tile lists its image ids, whose metadata comes in batches of
  /images?image_ids=.
Transient failures that outlived the client's retries end as 'retry' (the queue
makes them pending again until the task's attempts run out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from etl.crawl.model import Child, Finish, Task, WriteItem
from etl.crawl.settings import CrawlSettings, epoch_ms
from etl.mapillary import errors as E
from etl.mapillary import discovery as D
from etl.mapillary.client import MapillaryClient
from etl.mapillary.parsing import IMAGE_FIELDS, BadAnswer, answer_rows, count_records
from etl.mapillary.tiles import TILESET, has_features, tile_images

Put = Callable[[WriteItem], Awaitable[None]]
RETRYABLE = (E.TransientError, E.BadRequest, BadAnswer)


class TaskHandlers:
    def __init__(self, client: MapillaryClient, settings: CrawlSettings) -> None:
        self.client, self.settings = client, settings
        self.filters = self._filters()
        self._since = epoch_ms(settings.since) if settings.since else None
        self._until = epoch_ms(settings.until) if settings.until else None

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
            else:
                await put(WriteItem([], Finish(task.id, "failed", error=f"unknown task kind {task.kind}")))
        except RETRYABLE as error:
            await put(WriteItem([], Finish(task.id, "retry", error=str(error))))

    # --- search boxes ---------------------------------------------------------------

    async def box(self, task: Task, put: Put) -> None:
        box = D.parse_box_key(task.key)
        params = {"bbox": ",".join(repr(v) for v in box), "fields": IMAGE_FIELDS, "limit": "2000", **self.filters}
        try:
            body = await self.client.graph("images_bbox", "search", "/images", params)
        except E.ReduceData:
            return await put(WriteItem([], self._split(task, box, "the API asked to reduce the data")))
        except E.QueryTimeout:
            return await put(WriteItem([], self._split(task, box, "the query kept timing out")))
        found = count_records(body)
        if found >= self.settings.split_at:
            finish = self._split(task, box, f"{found} results, the answer may be cut")
            # a box that cannot be split further still keeps what it got; others are not even parsed
            rows, skipped = answer_rows(body) if finish.state == "failed" else ([], 0)
            return await put(WriteItem(rows, finish, skipped, not task.inside))
        rows, skipped = answer_rows(body)
        if not rows and not skipped:
            return await put(WriteItem([], Finish(task.id, "empty")))
        await put(WriteItem(rows, Finish(task.id, "done", len(rows)), skipped, not task.inside))

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
            if not has_features(body):
                return await put(WriteItem([], Finish(task.id, "empty")))
            children = [Child("tile", D.tile_key(*t), task.depth + 1, D.tile_bounds(*t)) for t in D.sub_tiles(z, x, y)]
            return await put(WriteItem([], Finish(task.id, "split", children=children)))
        ids = sorted({i.id for i in tile_images(body) if self._wanted(i)})
        if not ids:
            return await put(WriteItem([], Finish(task.id, "empty")))
        stored = 0
        for start in range(0, len(ids), self.settings.ids_per_request):
            batch = ids[start : start + self.settings.ids_per_request]
            rows, skipped = await self._fetch_ids(batch)
            stored += len(rows)
            await put(WriteItem(rows, None, skipped, not task.inside))
        await put(WriteItem([], Finish(task.id, "done", stored)))

    def _wanted(self, image) -> bool:  # noqa: ANN001 - TileImage
        t, s = image.captured_at, self.settings
        if t is not None and ((self._since is not None and t < self._since) or (self._until is not None and t > self._until)):
            return False
        return s.organization_id is None or image.organization_id == s.organization_id

    async def _fetch_ids(self, ids: list[int]) -> tuple[list[tuple], int]:
        params = {"image_ids": ",".join(map(str, ids)), "fields": IMAGE_FIELDS, "limit": str(len(ids))}
        try:
            body = await self.client.graph("images_ids", "entity", "/images", params)
        except E.NotFound:
            return [], 0  # all of them deleted since the tile was made
        return answer_rows(body)
