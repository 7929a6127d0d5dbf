"""Thumbnails: real JPEGs of the documented sizes behind signed, expiring URLs."""

from __future__ import annotations

import io
import time

from PIL import Image

from .conftest import Api

BOX = (6.630, 46.519, 6.6315, 46.5205)
FIELDS = "width,height,thumb_256_url,thumb_1024_url,thumb_2048_url,thumb_original_url"


def _size(body: bytes) -> tuple[int, int]:
    picture = Image.open(io.BytesIO(body))
    assert picture.format == "JPEG"
    return picture.size


def test_thumb_sizes_keep_the_aspect_ratio(api, sim) -> None:  # noqa: ANN001
    records = sim.world.images_in_bbox(sim.world.bbox)
    pano = next(r for r in records if r.get("is_pano") or r["width"] == 2 * r["height"])
    plain = next(r for r in sim.world.images_in_bbox(BOX) if r["width"] != 2 * r["height"])
    for record in (pano, plain):
        full = api.get(f"/{record['id']}", {"fields": FIELDS}).json()
        width, height = full["width"], full["height"]
        for size in (256, 1024, 2048):
            got = _size(Api.fetch(full[f"thumb_{size}_url"]).body)
            assert max(got) == size and abs(got[0] / got[1] - width / height) < 0.01
        assert _size(Api.fetch(full["thumb_original_url"]).body) == (width, height)


def test_urls_expire_and_signatures_are_checked(make_server) -> None:  # noqa: ANN001
    sim = make_server(url_expiry_seconds=1.0)
    api = Api(sim)
    record = api.images(BOX, fields="thumb_256_url").json()["data"][0]
    url = record["thumb_256_url"]
    assert Api.fetch(url).status == 200
    forged = url.replace(f"/{record['id']}/", f"/{int(record['id']) + 1}/")
    assert Api.fetch(forged).status == 403
    assert Api.fetch(url.replace("/256?", "/2048?")).status == 403
    time.sleep(2.1)
    expired = Api.fetch(url)
    assert expired.status == 403 and b"expired" in expired.body
    fresh = api.get(f"/{record['id']}", {"fields": "thumb_256_url"}).json()["thumb_256_url"]
    assert Api.fetch(fresh).status == 200


def test_each_image_gets_distinct_bytes(api) -> None:  # noqa: ANN001
    data = api.images(BOX, fields="thumb_256_url", limit=2).json()["data"]
    bodies = [Api.fetch(r["thumb_256_url"]).body for r in data]
    assert bodies[0] != bodies[1]
