"""`mlyetl report`: valid, non-blank PNGs with the points drawn where they are."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
from PIL import Image

from etl.report.draw import BACKGROUND, CLASS_COLOURS
from etl.report.frame import MapFrame
from tests.conftest import run_cli

# (id, sequence, lon, lat, class, kept): an urban cluster west, an "other" line east
POINTS = [
    (1, "s-urban", 2.30, 48.80, "urban", True),
    (2, "s-urban", 2.31, 48.81, "urban", False),
    (3, "s-urban", 2.32, 48.82, "urban", True),
    (4, "s-other", 2.70, 48.60, "other", True),
    (5, "s-other", 2.80, 48.70, "other", False),
    (6, "s-other", 2.90, 48.95, "other", True),
]
RESULT = "paris <b>&'test"  # hostile name: must come out escaped in the HTML


async def _seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany(
            "INSERT INTO images (id, sequence_id, captured_at, geom) "
            "VALUES ($1, $2, to_timestamp($1::bigint), ST_SetSRID(ST_MakePoint($3, $4), 4326))",
            [(i, s, x, y) for i, s, x, y, _, _ in POINTS])
        await conn.execute(
            "INSERT INTO filter_results (name, params, counts) VALUES ($1, $2, '{}')",
            RESULT, json.dumps({"continent": "Testland", "spacing_urban": 100}))
        await conn.executemany(
            "INSERT INTO filter_points (result_name, image_id, sequence_id, class, kept) VALUES ($1, $2, $3, $4, $5)",
            [(RESULT, i, s, c, k) for i, s, _, _, c, k in POINTS])
        layer = await conn.fetchval(
            "INSERT INTO boundary_layers (name, kind) VALUES ('Testland', 'continent') RETURNING id")
        await conn.execute(
            "INSERT INTO boundary_features (layer_id, geom) "
            "VALUES ($1, ST_Multi(ST_MakeEnvelope(2.0, 48.5, 3.0, 49.0, 4326)))", layer)
    finally:
        await conn.close()


def test_report_draws_kept_points_where_they_are(db_dsn: str, tmp_path: Path) -> None:
    asyncio.run(_seed(db_dsn))
    out = tmp_path / "report"
    result = run_cli("report", "--result", RESULT, "--out", str(out), "--width", "800", "--dsn", db_dsn)
    assert result.returncode == 0, result.stderr

    frame = MapFrame.around(2.30, 48.60, 2.90, 48.95, 800)
    kept = Image.open(out / "kept.png")
    kept.verify()
    kept = Image.open(out / "kept.png").convert("RGB")
    assert kept.size == (frame.width, frame.height)
    for _, _, lon, lat, cls, was_kept in POINTS:
        pixel = kept.getpixel(frame.pixel(lon, lat))
        if was_kept:
            assert pixel == CLASS_COLOURS[cls], (lon, lat, pixel)
        else:
            assert pixel not in CLASS_COLOURS.values(), (lon, lat, pixel)

    coverage = Image.open(out / "coverage.png").convert("RGB")
    for _, _, lon, lat, _, _ in POINTS:  # every clipped image, kept or not
        assert coverage.getpixel(frame.pixel(lon, lat)) != BACKGROUND
    assert Image.open(out / "lines.png").convert("RGB").getcolors(1_000_000) and len(
        Image.open(out / "lines.png").convert("RGB").getcolors(1_000_000)) > 1  # not blank

    page = (out / "index.html").read_text()
    assert "paris &lt;b&gt;&amp;&#x27;test" in page and "<b>&" not in page
    for name in ("coverage.png", "kept.png", "lines.png"):
        assert f'src="{name}"' in page


def test_report_of_unknown_result_is_bad_input(db_dsn: str, tmp_path: Path) -> None:
    result = run_cli("report", "--result", "nope", "--out", str(tmp_path), "--dsn", db_dsn)
    assert result.returncode == 2
    assert "no filter result named 'nope'" in result.stderr
