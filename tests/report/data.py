"""A small filter result to report on: an urban and an "other" sequence with kept and
dropped images, a hostile camera name, and one downloaded picture."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PIL import Image

from tests.conftest import run_cli
from tests.filters.helpers import box, fetch, insert_images, load_layer, polygon, write_geojson

URBAN_NAME = "town-centre"
HOSTILE = "<img src=x onerror=alert(1)>"
# (id, sequence, seconds, lon, lat): 12 urban images ~75 m apart, 6 "other" ones ~10 km apart
IMAGES = [(100 + k, "s-urban", 2 * k, 2.30 + 0.001 * k, 48.80) for k in range(12)] + \
         [(200 + k, "s-other", 2 * k, 2.60 + 0.08 * k, 48.62 + 0.03 * k) for k in range(6)]
PICTURE_ID = 100  # the first image of a sequence is always kept


def make_result(dsn: str, tmp_path: Path) -> dict[int, tuple[str, bool]]:
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "c.geojson", [polygon(box(2.0, 48.5, 3.2, 49.0))]),
                           "continent", "testland"))
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(2.25, 48.75, 2.35, 48.85))]),
                           "urban", URBAN_NAME))
    asyncio.run(insert_images(dsn, IMAGES))
    asyncio.run(fetch(dsn, "UPDATE images SET make = $1, model = 'X1', width = 4000, height = 3000 WHERE id = 101",
                      HOSTILE))
    result = run_cli("filter", "--name", "paris", "--continent", "testland", "--urban", URBAN_NAME,
                     "--spacing-urban", "200", "--spacing-other", "15000", "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    picture = tmp_path / "pictures" / f"{PICTURE_ID}.jpg"
    picture.parent.mkdir()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(picture, "JPEG")
    asyncio.run(fetch(dsn, "INSERT INTO image_downloads (image_id, size, state, path, bytes, attempts, updated_at) "
                           "VALUES ($1, '256', 'done', $2, $3, 1, now())", PICTURE_ID, str(picture),
                      picture.stat().st_size))
    rows = asyncio.run(fetch(dsn, "SELECT image_id, class, kept FROM filter_clipped WHERE result_name = 'paris'"))
    return {r["image_id"]: (r["class"], r["kept"]) for r in rows}
