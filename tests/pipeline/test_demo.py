"""`mlyetl demo` end to end on a fresh database: every output checked."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import asyncpg
import pyogrio
from PIL import Image

from etl.simulator.presets import build_world
from tests.conftest import run_cli


async def _counts(dsn: str) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        return dict(await conn.fetchrow(
            "SELECT (SELECT count(*) FROM images) AS images,"
            " (SELECT count(*) FROM filter_points WHERE result_name = 'demo') AS kept,"
            " (SELECT count(*) FROM image_downloads WHERE state = 'done') AS downloaded,"
            " (SELECT count(*) FROM filter_sequence_lines WHERE result_name = 'demo') AS lines,"
            " (SELECT count(*) FROM layer_styles WHERE f_table_catalog = current_database()) AS styles"))
    finally:
        await conn.close()


def _csv_rows(export_dir: Path) -> list[dict]:
    rows: list[dict] = []
    for shard in sorted(export_dir.glob("all-*.csv")):
        with shard.open(newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_demo_runs_the_whole_pipeline_offline(db_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run_cli("demo", "--out", str(out), "--dsn", db_dsn, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "report/index.html" in result.stdout

    counts = asyncio.run(_counts(db_dsn))
    world = build_world("tiny")
    truth = world.count_in_bbox(world.bbox)
    assert counts["images"] >= truth  # whole sequences may reach past the box
    assert counts["kept"] > 0 and counts["lines"] > 0 and counts["styles"] > 0

    export_dir = out / "export"
    manifest = json.loads((export_dir / "manifest-all.json").read_text())
    rows = _csv_rows(export_dir)
    assert len(rows) == manifest["rows"] == counts["kept"]
    assert {r["class"] for r in rows} == {"urban", "other"}
    gpkg_rows = sum(pyogrio.read_info(p)["features"] for p in export_dir.glob("*.gpkg"))
    assert gpkg_rows == counts["kept"]

    jpegs = list((out / "images").rglob("*.jpg"))
    assert len(jpegs) == counts["kept"] == counts["downloaded"]
    assert {p.stem for p in jpegs} == {r["image_id"] for r in rows}
    with Image.open(jpegs[0]) as image:
        assert image.format == "JPEG" and max(image.size) == 256

    report = out / "report"  # the map itself is tested in a browser in tests/report
    assert (report / "data" / "map.js").stat().st_size > 1000 and len(list(report.glob("charts/*.svg"))) == 4
    assert "demo" in (out / "report" / "index.html").read_text()

    again = run_cli("demo", "--out", str(out), "--dsn", db_dsn, timeout=300)  # resumes: nothing redone
    assert again.returncode == 0, again.stderr[-3000:]
    assert asyncio.run(_counts(db_dsn)) == counts
    assert "requests: 0 " in again.stdout  # the finished crawl asks the API nothing
    assert f"downloaded 0 images" in again.stdout and f"{counts['kept']} already stored" in again.stdout
    assert "recomputing everything" not in again.stderr and "boundaries load" not in again.stderr
