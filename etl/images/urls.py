"""Fresh thumbnail URLs, fetched in batches right before downloading (they expire).

Uses the crawler's MapillaryClient (one session, rate limits, retries with backoff
honouring Retry-After, a terminal error for a bad token). A batch call
`GET /?ids=A,B&fields=thumb_1024_url` fails as a whole when one id is gone (error
#803 naming the missing ids): those are reported as missing and the rest asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import orjson

from etl.mapillary import errors as E
from etl.mapillary.client import MapillaryClient

FIELD = {"256": "thumb_256_url", "1024": "thumb_1024_url", "2048": "thumb_2048_url", "original": "thumb_original_url"}
_MISSING_RE = re.compile(r"do not exist:\s*([\d,\s]+)")


@dataclass
class UrlAnswer:
    urls: dict[int, str] = field(default_factory=dict)
    missing: dict[int, str] = field(default_factory=dict)  # image id -> why there is no URL


async def fresh_urls(client: MapillaryClient, ids: list[int], size: str) -> UrlAnswer:
    """URLs of `size` for `ids`; ids without one land in `missing` with the reason."""
    answer = UrlAnswer()
    pending = list(dict.fromkeys(ids))
    while pending:
        try:
            body = await client.graph("entities", "entity", "/", {"ids": ",".join(map(str, pending)), "fields": FIELD[size]})
        except E.BadRequest as error:
            gone = _missing_ids(error.detail) & set(pending)
            if not gone:
                return await _one_by_one(client, pending, size, answer)
            for image_id in gone:
                answer.missing[image_id] = "not found on Mapillary (deleted?)"
            pending = [i for i in pending if i not in gone]
            continue
        _read(orjson.loads(body), pending, size, answer)
        return answer
    return answer


def _missing_ids(detail: str) -> set[int]:
    match = _MISSING_RE.search(detail)
    return {int(t) for t in match.group(1).replace(" ", "").split(",") if t} if match else set()


def _read(data: dict, ids: list[int], size: str, answer: UrlAnswer) -> None:
    for image_id in ids:
        url = (data.get(str(image_id)) or {}).get(FIELD[size])
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            answer.urls[image_id] = url
        else:
            answer.missing[image_id] = f"Mapillary gives no {FIELD[size]} for this image"


async def _one_by_one(client: MapillaryClient, ids: list[int], size: str, answer: UrlAnswer) -> UrlAnswer:
    """Fallback when a batch is refused for a reason we cannot attribute to ids."""
    for image_id in ids:
        try:
            body = await client.graph("entity", "entity", f"/{image_id}", {"fields": FIELD[size]})
        except E.NotFound:
            answer.missing[image_id] = "not found on Mapillary (deleted?)"
            continue
        except E.BadRequest as error:
            answer.missing[image_id] = f"Mapillary refused the request: {error.detail[:200]}"
            continue
        _read({str(image_id): orjson.loads(body)}, [image_id], size, answer)
    return answer
