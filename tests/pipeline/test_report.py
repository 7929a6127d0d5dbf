"""`mlyetl report`: valid, non-blank PNGs with the points drawn where they are."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PIL import Image

from etl.report.build import ReportData
from etl.report.draw import BACKGROUND, CLASS_COLOURS
from etl.report.frame import MapFrame
from etl.report.page import write_page
from tests.conftest import run_cli
from tests.filters.helpers import box, fetch, insert_images, load_layer, polygon, write_geojson

# (id, sequence, seconds, lon, lat): an urban sequence west, an "other" one east
IMAGES = [
    (1, "s-urban", 0, 2.30, 48.80), (2, "s-urban", 2, 2.31, 48.81), (3, "s-urban", 4, 2.32, 48.82),
    (4, "s-other", 0, 2.70, 48.60), (5, "s-other", 2, 2.80, 48.70), (6, "s-other", 4, 2.90, 48.95),
]


def _filter_result(dsn: str, tmp_path: Path) -> dict[int, tuple[str, bool]]:
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "c.geojson", [polygon(box(2.0, 48.5, 3.0, 49.0))]),
                           "continent", "testland"))
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(2.25, 48.75, 2.35, 48.85))]),
                           "urban", "town"))
    asyncio.run(insert_images(dsn, IMAGES))
    result = run_cli("filter", "--name", "paris", "--continent", "testland", "--urban", "town",
                     "--spacing-urban", "2000", "--spacing-other", "20000", "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    rows = asyncio.run(fetch(dsn, "SELECT image_id, class, kept FROM filter_clipped WHERE result_name = 'paris'"))
    return {r["image_id"]: (r["class"], r["kept"]) for r in rows}


def test_report_draws_kept_points_where_they_are(db_dsn: str, tmp_path: Path) -> None:
    classes = _filter_result(db_dsn, tmp_path)
    assert {c for c, _ in classes.values()} == {"urban", "other"}
    assert {k for _, k in classes.values()} == {True, False}  # both drawn and undrawn points to check
    out = tmp_path / "report"
    result = run_cli("report", "--result", "paris", "--out", str(out), "--width", "800", "--dsn", db_dsn)
    assert result.returncode == 0, result.stderr

    frame = MapFrame.around(2.30, 48.60, 2.90, 48.95, 800)
    with Image.open(out / "kept.png") as png:
        png.verify()
    kept = Image.open(out / "kept.png").convert("RGB")
    assert kept.size == (frame.width, frame.height)
    for image_id, _, _, lon, lat in IMAGES:
        cls, was_kept = classes[image_id]
        pixel = kept.getpixel(frame.pixel(lon, lat))
        assert (pixel == CLASS_COLOURS[cls]) == was_kept, (image_id, pixel)

    coverage = Image.open(out / "coverage.png").convert("RGB")
    for _, _, _, lon, lat in IMAGES:  # every clipped image, kept or not
        assert coverage.getpixel(frame.pixel(lon, lat)) != BACKGROUND
    lines = Image.open(out / "lines.png").convert("RGB")
    assert len(lines.getcolors(1 << 20)) > 1  # not blank

    page = (out / "index.html").read_text()
    for name in ("coverage.png", "kept.png", "lines.png"):
        assert f'src="{name}"' in page


def test_page_escapes_every_value(tmp_path: Path) -> None:
    data = ReportData("x<b>&'y", {"urban": "<script>"}, {}, [], None)
    page = write_page(data, tmp_path).read_text()
    assert "x&lt;b&gt;&amp;&#x27;y" in page and "&lt;script&gt;" in page
    assert "<script>" not in page and "<b>&" not in page


def test_report_of_unknown_result_is_bad_input(db_dsn: str, tmp_path: Path) -> None:
    result = run_cli("report", "--result", "nope", "--out", str(tmp_path), "--dsn", db_dsn)
    assert result.returncode == 2
    assert "no filter result named 'nope'" in result.stderr
