"""Every stage run from Python through `etl.stages`, against a real PostGIS and the simulator."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
from pathlib import Path

import pyogrio
import pytest
from PIL import Image

from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.paths import DATA_DIR
from etl.simulator.config import DEFAULT_TOKEN
from etl.stages import (BoundariesSettings, CrawlSettings, ExportSettings, FilterSettings, ImagesSettings,
                        ReportSettings, StatusSettings, run_boundaries, run_crawl, run_export, run_filter,
                        run_images, run_report, run_status)
from tests.crawler.conftest import AREA, assert_complete, make_simulator, query


def test_every_stage_runs_from_python(db_dsn: str, tmp_path: Path) -> None:
    target = DatabaseTarget.from_dsn(db_dsn)
    with make_simulator() as sim:
        crawl = run_crawl(target, CrawlSettings(bbox=AREA, graph_url=sim.base_url, tiles_url=sim.tiles_url,
                                                token=DEFAULT_TOKEN, backoff=0.05))
        assert crawl.failed == 0 and crawl.failure() is None
        assert_complete(sim, db_dsn)
        assert crawl.new_images == len(query(db_dsn, "SELECT id FROM images"))

        layer = run_boundaries(target, BoundariesSettings(
            kind="urban", name="demo-town", file=DATA_DIR / "demo" / "demo-town-urban.geojson"))
        assert layer.layer.kind == "urban" and layer.layer.features >= 1

        result = run_filter(db_dsn, FilterSettings(name="py", continent="Europe", urban="demo-town", jobs=2))
        kept = query(db_dsn, "SELECT class, count(*) AS n FROM filter_points WHERE result_name = 'py' GROUP BY 1")
        assert {r["class"]: r["n"] for r in kept} == {"urban": result.kept_urban, "other": result.kept_other}
        assert result.kept_urban > 0 and result.kept_other > 0

        csv_out = run_export(target, ExportSettings(result="py", out=tmp_path / "export", shards=3))
        shards = sorted((tmp_path / "export").glob("all-*.csv"))
        assert len(shards) == csv_out.shards == 3
        assert sum(len(list(csv.DictReader(p.open()))) for p in shards) == csv_out.rows == \
            result.kept_urban + result.kept_other
        gpkg = run_export(target, ExportSettings(format="gpkg", result="py", out=tmp_path / "export"))
        assert {Path(p).name: n for p, n in gpkg.files.items()} == {
            name: pyogrio.read_info(tmp_path / "export" / name)["features"] for name in ("urban_100m.gpkg",
                                                                                          "other_1000m.gpkg")}

        images = run_images(target, ImagesSettings(result="py", cls="urban", size="256", out=tmp_path / "images",
                                                   graph_url=sim.base_url, token=DEFAULT_TOKEN, backoff=0.05))
        jpegs = list((tmp_path / "images").rglob("*.jpg"))
        assert images.downloaded == len(jpegs) == result.kept_urban == images.done_total
        with Image.open(jpegs[0]) as picture:
            assert max(picture.size) == 256

    report = run_report(target, ReportSettings(result="py", out=tmp_path / "report"))
    assert report.page == tmp_path / "report" / "index.html" and "py" in report.page.read_text()

    status = run_status(target, StatusSettings(recent=20))
    assert status.images["images"] == crawl.new_images
    assert {r["kind"] for r in status.runs} >= {"crawl", "boundaries", "filter", "export-csv", "export-gpkg",
                                                "images"}
    assert all(r["status"] == "finished" for r in status.runs)


def test_settings_are_frozen_and_checked_where_they_are_made(tmp_path: Path) -> None:
    settings = FilterSettings(name="a", continent="Europe")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.jobs = 3  # type: ignore[misc]
    assert CrawlSettings(bbox=(6.6, 46.5, 6.7, 46.6), bulk_load="no").bulk_load is False
    with pytest.raises(UserInputError, match="crawl.bulk_load = 'maybe' is not a boolean"):
        CrawlSettings(bbox="6.6,46.5,6.7,46.6", bulk_load="maybe")
    with pytest.raises(UserInputError, match="crawl.concurrency = 0 is out of range"):
        CrawlSettings(bbox="6.6,46.5,6.7,46.6", concurrency=0)
    with pytest.raises(UserInputError, match="give the area once"):
        CrawlSettings()
    with pytest.raises(UserInputError, match="exclude each other"):
        ExportSettings(result="a", out=tmp_path, shards=2, rows_per_shard=10)
    with pytest.raises(UserInputError, match="export.class = 'towns' is not one of urban, other, all"):
        ExportSettings(result="a", out=tmp_path, cls="towns")
    assert "secret" not in repr(CrawlSettings(bbox="6.6,46.5,6.7,46.6", token="MLY|1|secret"))
    assert "token" not in CrawlSettings(bbox="6.6,46.5,6.7,46.6", token="MLY|1|secret").recorded()


def test_reading_the_dsn_of_the_embedded_cluster_starts_nothing(tmp_path: Path) -> None:
    target = DatabaseTarget.embedded(tmp_path / "cluster")
    assert target.connection_dsn().startswith("postgresql://")
    assert not (tmp_path / "cluster").exists() or not any((tmp_path / "cluster").iterdir())
    with pytest.raises(UserInputError, match="does not exist yet"):
        asyncio.run(_connect(target))  # a stage would have called target.start() first


async def _connect(target: DatabaseTarget) -> None:
    from etl.db.connect import connect

    await connect(target)
