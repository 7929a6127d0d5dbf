"""`mlyetl results drop`: a result and its tables go, the images stay, the name is free again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import run_cli
from tests.filters.helpers import box, fetch, insert_images, load_layer, polygon, write_geojson


def _tables(dsn: str) -> set[str]:
    rows = asyncio.run(fetch(dsn, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'filter_%_r%'"))
    return {r["tablename"] for r in rows}


def test_drop_removes_the_result_and_frees_its_name(db_dsn: str, tmp_path: Path) -> None:
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "c.geojson", [polygon(box(0, 0, 1, 1))]),
                           "continent", "square"))
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(0.5, 0, 0.6, 1))]),
                           "urban", "town"))
    asyncio.run(insert_images(db_dsn, [(1, "s", 0, 0.2, 0.2), (2, "s", 2, 0.21, 0.2), (3, "t", 0, 0.55, 0.5)]))
    make = ("filter", "--name", "v1", "--continent", "square", "--urban", "town", "--dsn", db_dsn)
    assert run_cli(*make).returncode == 0
    (partition,) = [t for t in _tables(db_dsn) if t.startswith("filter_points_r")]
    styled = asyncio.run(fetch(db_dsn, "SELECT stylename FROM layer_styles WHERE f_table_name = $1", partition))
    assert [r["stylename"] for r in styled] == ["mlyetl points_by_class"]  # the new layer opens styled
    assert "v1:" in run_cli("results", "list", "--dsn", db_dsn).stdout

    dropped = run_cli("results", "drop", "v1", "--yes", "--dsn", db_dsn)
    assert dropped.returncode == 0, dropped.stderr
    assert not any(t.startswith("filter_points_r") for t in _tables(db_dsn))
    assert not asyncio.run(fetch(db_dsn, "SELECT 1 FROM layer_styles WHERE f_table_name = $1", partition))
    counts = asyncio.run(fetch(db_dsn, "SELECT (SELECT count(*) FROM images) AS images,"
                                       " (SELECT count(*) FROM filter_sequence_lines) AS lines"))[0]
    assert counts["images"] == 3 and counts["lines"] == 0

    again = run_cli(*make)  # the name can be used again
    assert again.returncode == 0, again.stderr
    missing = run_cli("results", "drop", "nope", "--yes", "--dsn", db_dsn)
    assert missing.returncode == 2 and "no filter result named 'nope'" in missing.stderr
