"""A z14 tile task: the images its `image` layer lists, and those it cannot name.

Listed images (a usable `id` property) come in batches of /images?image_ids=.
A feature without a usable id is counted; its sequence key (the feature's
`sequence_id`, or, when that is unreadable too, every key of the tile's
`sequence` layer) leads to the images through /image_ids?sequence_id=: the
members this tile did not list are fetched, wherever they lie in the area. So
the crawl stays complete over tiles whose values are empty or unreadable.

In an update pass a tile is compared with what is stored in its footprint first: a
sequence whose images the tile lists are the stored ones (same ids, same count, each
at its stored position within a pixel and a half) is not fetched again; of the others,
the images that are new or moved are. (A change the tile cannot show - a new compass
angle at the same place - is left for a pass that fetches the image.) A tile that lists every image (no
feature without an id) hands its ids on, so that stored images it no longer lists are
checked (etl/crawl/check_task.py).

A sequence crosses many tiles: once one tile of this run has handed all of its
members to the writer, the other tiles skip it (a bounded memory of keys). A
run that stops before their rows are committed leaves that tile unfinished, so
a rerun follows the sequence again: nothing is lost, at worst fetched twice.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable

from etl.crawl.model import Finish, Task, WriteItem
from etl.crawl.settings import CrawlSettings
from etl.mapillary import discovery as D
from etl.mapillary import errors as E
from etl.mapillary.client import MapillaryClient
from etl.mapillary.parsing import answer_rows, ids_of, row_captured_ms, row_organization, with_organizations
from etl.mapillary.tiles import TileContents, TileImage, tile_contents

Put = Callable[[WriteItem], Awaitable[None]]
FetchImages = Callable[[str, str, dict[str, str]], Awaitable[bytes]]
Stored = Callable[[int], Awaitable[list[tuple[int, str, float, float]]]]  # task id -> (id, sequence, lon, lat)
# (ids, lons, lats, margin in degrees) -> the ids outside the crawl's area
Outside = Callable[[list[int], list[float], list[float], float], Awaitable[set[int]]]
FOLLOWED_KEPT = 200_000  # sequence keys remembered as followed (~100 bytes each)


class TileTask:
    def __init__(self, images: FetchImages, client: MapillaryClient, settings: CrawlSettings,
                 since: int | None, until: int | None, counters: Counter[str], stored: Stored | None = None,
                 outside: Outside | None = None) -> None:
        self.images, self.client, self.settings, self.stored = images, client, settings, stored
        self.outside = outside
        self.since, self.until, self.counters = since, until, counters
        self._followed: OrderedDict[str, None] = OrderedDict()  # sequences whose members were all handed on

    async def z14(self, task: Task, body: bytes, put: Put) -> None:
        contents = tile_contents(body)
        self.counters["tile_features_without_id"] += contents.without_id
        self.counters["tile_values_unreadable"] += contents.bad_values
        orgs = {i.id: i.organization_id for i in contents.images if i.organization_id}
        ids = sorted({i.id for i in contents.images if self._wanted(i)})
        complete = not contents.without_id and not contents.sequences  # every image of the tile is named
        seen = [i.id for i in contents.images] if complete else None
        if not ids and not contents.sequences:
            return await put(WriteItem([], Finish(task.id, "empty", seen=seen)))
        if self.stored is not None:
            ids = await self._changed(task, contents, set(ids))
        stored = await self._fetch(ids, orgs, task, put)
        if contents.sequences:
            listed = {i.id for i in contents.images}
            stored += await self._through_sequences(sorted(contents.sequences), listed, orgs, put)
        await put(WriteItem([], Finish(task.id, "done", stored, seen=seen)))

    async def _changed(self, task: Task, contents: TileContents, wanted: set[int]) -> list[int]:
        """The wanted ids that are new or moved, in the sequences whose images here differ from the stored ones."""
        assert self.stored is not None
        z, x, y = D.parse_tile_key(task.key)
        known: dict[str, dict[int, tuple[float, float]]] = {}
        for image_id, sequence, lon, lat in await self.stored(task.id):
            known.setdefault(sequence, {})[image_id] = D.tile_pixel(lon, lat, z, x, y, contents.extent)
        away = await self._outside_area(task, contents, {i for seq in known.values() for i in seq})
        listed: dict[str | None, list[TileImage]] = {}
        for image in contents.images:
            if image.id not in away:
                listed.setdefault(image.sequence, []).append(image)
        fetch: list[int] = []
        for sequence, images in listed.items():
            old = known.get(sequence) if sequence is not None else None
            if old is not None and len(old) == len(images) and all(_same_place(old.get(i.id), i.point) for i in images):
                self.counters["tile_sequences_unchanged"] += 1
                continue
            old = old or {}
            fetch.extend(i.id for i in images if i.id in wanted and not _same_place(old.get(i.id), i.point))
        return sorted(set(fetch))

    async def _outside_area(self, task: Task, contents: TileContents, known: set[int]) -> set[int]:
        """Listed images of a border tile, not stored, that lie outside the area: never stored, not a change."""
        if task.inside or self.outside is None:
            return set()
        z, x, y = D.parse_tile_key(task.key)
        unknown = [i for i in contents.images if i.id not in known and i.point is not None]
        if not unknown:
            return set()
        places = [D.pixel_lonlat(i.point[0] + 0.5, i.point[1] + 0.5, z, x, y, contents.extent) for i in unknown]
        # a pixel's width in longitude: the pixel centre is within half a pixel of the point, and
        # a pixel is no taller in latitude than it is wide in longitude
        margin = 360.0 / (2**z * contents.extent)
        return await self.outside([i.id for i in unknown], [p[0] for p in places], [p[1] for p in places], margin)

    def _wanted(self, image: TileImage) -> bool:
        t, org = image.captured_at, self.settings.organization_id
        if t is not None and ((self.since is not None and t < self.since) or (self.until is not None and t > self.until)):
            return False
        return org is None or image.organization_id == org

    async def _fetch(self, ids: list[int], orgs: dict[int, int], task: Task | None, put: Put) -> int:
        """Fetch `ids` in batches and hand their rows on (no task: rows from anywhere, area-tested)."""
        stored, step = 0, self.settings.ids_per_request
        for start in range(0, len(ids), step):
            params = {"image_ids": ",".join(map(str, ids[start : start + step])), "limit": str(step)}
            try:
                body = await self.images("images_ids", "entity", params)
            except E.NotFound:
                continue  # all of them deleted since the tile was made
            rows, skipped = answer_rows(body)
            rows = self._keep(with_organizations(rows, orgs))
            stored += len(rows)
            await put(WriteItem(rows, None, skipped, task is None or not task.inside))
        return stored

    def _keep(self, rows: list[tuple]) -> list[tuple]:
        """Rows within the date range (a tile's capture time may have been unreadable) and organisation."""
        s = self.settings
        if self.since is not None or self.until is not None:
            lo, hi = self.since or -(2**62), self.until or 2**62
            rows = [r for r in rows if lo <= row_captured_ms(r) <= hi]
        if s.organization_id is not None:  # rows whose organisation was not readable cannot be told apart
            before = len(rows)
            rows = [r for r in rows if row_organization(r) == s.organization_id]
            self.counters["tile_images_unknown_organization"] += before - len(rows)
        return rows

    async def _through_sequences(self, keys: list[str], listed: set[int], orgs: dict[int, int], put: Put) -> int:
        stored = 0
        for key in keys:
            if key in self._followed:
                self._followed.move_to_end(key)
                continue
            try:
                body = await self.client.graph("image_ids", "entity", "/image_ids", {"sequence_id": key})
            except E.NotFound:
                continue  # the sequence is gone
            members, bad = ids_of(body)
            self.counters["image_ids_unreadable"] += bad
            self.counters["tile_sequences_followed"] += 1
            stored += await self._fetch([i for i in members if i not in listed], orgs, None, put)
            self._followed[key] = None  # every member is now in the writer's queue
            if len(self._followed) > FOLLOWED_KEPT:
                self._followed.popitem(last=False)
        return stored


def _same_place(stored: tuple[float, float] | None, point: tuple[int, int] | None) -> bool:
    """A stored position and a tile's point agree to a pixel and a half (tiles floor to whole pixels)."""
    return stored is not None and point is not None and abs(stored[0] - point[0]) <= 1.5 \
        and abs(stored[1] - point[1]) <= 1.5
