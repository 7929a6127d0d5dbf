"""A check task of an update pass: stored images the pass did not see where they were.

A finished box or tile lists every image in its footprint; a stored image of that
footprint it did not list has moved, or is gone - or the answer was wrong. Such images
are checked once the pass's boxes and tiles are done, in tasks of up to
`--ids-per-request` images (a sequence's images together):

1. by id, in one batch (`/images?image_ids=`): an image answered is written like any
   other (a moved image gets its new position, also outside the area);
2. the rest against their sequences' membership (`/image_ids?sequence_id=`, one request
   per sequence): an image it
   no longer lists, or every image of a sequence the API says does not exist (code 100,
   subcode 33), is deleted;
3. an image the membership still lists is looked up alone (`/{id}`): "does not exist"
   (code 100, subcode 33) deletes it, a record is written, anything else keeps it as it is.

So nothing is deleted on the strength of an absence from a listing that may be partial
(a search, a tile, an id batch): only a membership that no longer names it, or the API's
own "does not exist". A failed request fails the task (retried, then 'failed'), and a
failed task deletes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

from etl.crawl.model import Finish, Task, WriteItem
from etl.mapillary import errors as E
from etl.mapillary.client import MapillaryClient
from etl.mapillary.parsing import ids_of

Put = Callable[[WriteItem], Awaitable[None]]
FetchImages = Callable[[str, str, dict[str, str]], Awaitable[bytes]]
Rows = Callable[[bytes], tuple[list[tuple], int]]
FetchOne = Callable[[int], Awaitable[bytes]]


class CheckTask:
    def __init__(self, images: FetchImages, one: FetchOne, rows: Rows, client: MapillaryClient,
                 ids_per_request: int, counters: Counter[str]) -> None:
        self.images, self.one, self.rows, self.client = images, one, rows, client
        self.step, self.counters = ids_per_request, counters

    async def run(self, task: Task, put: Put) -> None:
        sequence_of = dict(zip(task.image_ids, task.sequence_ids))
        ids = sorted(sequence_of)
        answered = await self._by_id(ids, put)
        missing: dict[str, list[int]] = {}
        for image_id in ids:
            if image_id not in answered:
                missing.setdefault(sequence_of[image_id], []).append(image_id)
        deleted: list[int] = []
        for key, images in missing.items():
            members = await self._members(key)
            if members is None:  # the sequence does not exist
                deleted.extend(images)
                continue
            deleted.extend(i for i in images if i not in members)
            for image_id in (i for i in images if i in members):
                if await self._gone(image_id, put):
                    deleted.append(image_id)
        self.counters["images_checked"] += len(ids)
        await put(WriteItem([], Finish(task.id, "done", len(deleted)), deleted=deleted))

    async def _by_id(self, ids: list[int], put: Put) -> set[int]:
        answered: set[int] = set()
        for start in range(0, len(ids), self.step):
            chunk = ids[start : start + self.step]
            params = {"image_ids": ",".join(map(str, chunk)), "limit": str(len(chunk))}
            try:
                body = await self.images("images_ids", "entity", params)
            except E.NotFound:
                continue  # none of them answered: step 2 decides
            rows, skipped = self.rows(body)
            answered.update(r[0] for r in rows)
            await put(WriteItem(rows, None, skipped, False))  # wherever it lies now, the row is the API's
        return answered

    async def _members(self, key: str) -> set[int] | None:
        """The sequence's members; None when the API says the sequence does not exist."""
        try:
            body = await self.client.graph("image_ids", "entity", "/image_ids", {"sequence_id": key})
        except E.NotFound as error:
            if error.certain:
                return None
            raise E.TransientError(error.endpoint, error.status, "not found without the API's code 100/33") from None
        members, bad = ids_of(body)
        if bad:  # an entry we cannot read may be one of ours: then nothing is missing from it for sure
            self.counters["image_ids_unreadable"] += bad
            raise E.BadRequest("image_ids", 200, f"{bad} unreadable member(s): the membership cannot confirm a deletion")
        return set(members)

    async def _gone(self, image_id: int, put: Put) -> bool:
        try:
            body = await self.one(image_id)
        except E.NotFound as error:
            if error.certain:
                return True
            raise E.TransientError(error.endpoint, error.status, "not found without the API's code 100/33") from None
        rows, skipped = self.rows(b'{"data":[' + body + b"]}")
        await put(WriteItem(rows, None, skipped, False))
        return False

