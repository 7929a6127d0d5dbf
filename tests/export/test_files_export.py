"""`mlyetl export gpkg` / `geoparquet`: one file per class, named with the threshold, all rows."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from tests.conftest import run_cli
from tests.export.helpers import truth
from tests.export.synthetic import make_result_sync


@pytest.fixture
def result_dsn(db_dsn: str) -> str:
    make_result_sync(db_dsn, sequences=400, max_len=30, params={"spacing_urban": 100, "spacing_other": 1000, "spacing_mode": "path"})
    return db_dsn


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run(dsn: str, kind: str, out: Path, *args: str) -> None:
    # small batches so that the appends/row groups are exercised
    done = run_cli("export", kind, "--result", "europe", "--out", str(out), "--batch-rows", "1000", *args,
                   env={"MLYETL_DSN": dsn})
    assert done.returncode == 0, done.stderr


def test_geopackage_per_class_has_every_row_and_point(result_dsn: str, tmp_path: Path) -> None:
    _run(result_dsn, "gpkg", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_1000m.gpkg", "urban_100m.gpkg"]
    for cls, name in (("urban", "urban_100m"), ("other", "other_1000m")):
        expected = truth(result_dsn, "europe", cls)
        meta, table = pyogrio.read_arrow(tmp_path / f"{name}.gpkg", layer=name)
        assert meta["crs"] == "EPSG:4326" and meta["geometry_type"] == "Point"
        assert table.num_rows == len(expected) > 1000  # several appended batches
        ids = table.column("image_id").to_pylist()
        points = shapely.from_wkb(table.column(meta["geometry_name"] or "wkb_geometry").to_numpy(zero_copy_only=False))
        for image_id, point, cls_value in zip(ids, points, table.column("class").to_pylist()):
            want = expected[image_id]
            assert (point.x, point.y) == (want["lon"], want["lat"]) and cls_value == cls


def test_geoparquet_has_geo_metadata_row_groups_and_every_row(result_dsn: str, tmp_path: Path) -> None:
    _run(result_dsn, "geoparquet", tmp_path, "--class", "urban")
    assert [p.name for p in tmp_path.iterdir()] == ["urban_100m.parquet"]
    parquet = pq.ParquetFile(tmp_path / "urban_100m.parquet")
    geo = json.loads(parquet.schema_arrow.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    assert parquet.metadata.num_row_groups > 1
    table = parquet.read()
    expected = truth(result_dsn, "europe", "urban")
    assert sorted(table.column("image_id").to_pylist()) == sorted(expected)
    for image_id, wkb in zip(table.column("image_id").to_pylist(), table.column("geometry").to_pylist()):
        point = shapely.from_wkb(wkb)
        assert (point.x, point.y) == (expected[image_id]["lon"], expected[image_id]["lat"])


def test_an_empty_class_still_gives_a_valid_empty_file(db_dsn: str, tmp_path: Path) -> None:
    make_result_sync(db_dsn, sequences=5, max_len=3)
    asyncio.run(_execute(db_dsn, "DELETE FROM filter_points WHERE class = 'urban'"))
    _run(db_dsn, "gpkg", tmp_path, "--class", "urban")
    meta, table = pyogrio.read_arrow(tmp_path / "urban_100m.gpkg")
    assert table.num_rows == 0
